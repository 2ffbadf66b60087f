// Modules at run time: the program is loaded (parsed and resolved, every file) by
// `ProgramLoader` before anything runs; local modules then run once, on first import, and
// their top-level names become the exports (copies taken when the module finished).

import NtntRuntime
import NtntSema
import NtntSyntax

/// A parsed and resolved module, and its exports once it has run.
final class LoadedModule {
    let module: Module
    var exports: ValueMap?
    var isRunning = false

    init(module: Module) {
        self.module = module
    }
}

/// Loads programs and runs local modules on first import.
final class ModuleLoader {
    let program = ProgramLoader(globalNames: Interpreter.globalNames)
    private var units: [String: LoadedModule] = [:]

    var diagnostics: Diagnostics { program.diagnostics }
    var sourcePaths: [String] { program.sourcePaths }

    /// The bodies of the loops whose queries go out together (QueryBatching; set when the
    /// program is loaded, read by every worker's interpreter).
    private(set) var batchedLoops: Set<ObjectIdentifier> = []

    func loadProgram(path: String, displayPath: String? = nil) -> LoadedModule? {
        analyzed(program.loadProgram(path: path, displayPath: displayPath))
    }

    func loadProgram(source: String, path: String) -> LoadedModule? {
        analyzed(program.loadProgram(source: source, path: path))
    }

    private func analyzed(_ m: Module?) -> LoadedModule? {
        guard let m else { return nil }
        batchedLoops = QueryBatching(loader: program).batchedBodies
        return unit(m)
    }

    private func unit(_ m: Module) -> LoadedModule {
        let key = program.canonicalPath(m.file.location)
        if let u = units[key] { return u }
        let u = LoadedModule(module: m)
        units[key] = u
        return u
    }

    /// Runs (once) the module `importPath` names and returns its exports.
    func exports(of importPath: String, from importer: SourceFile, interpreter: Interpreter) throws -> ValueMap {
        let canonical = program.canonicalImport(importPath, from: importer.location)
        guard let module = program.modules[canonical] else { throw RuntimeError("Unknown module '\(importPath)'") }
        let m = unit(module)
        if let e = m.exports { return e }
        if m.isRunning { throw RuntimeError("circular import of '\(importPath)'") }
        m.isRunning = true
        let scope = try interpreter.runModule(m)
        var exports = ValueMap()
        for (name, slot) in Resolver.moduleSlots(m.module) {
            if let v = scope.slots[slot] { exports[name] = v }
        }
        m.exports = exports
        return exports
    }
}
