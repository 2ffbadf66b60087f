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

    func loadProgram(path: String, displayPath: String? = nil) -> LoadedModule? {
        program.loadProgram(path: path, displayPath: displayPath).map(unit)
    }

    func loadProgram(source: String, path: String) -> LoadedModule? {
        program.loadProgram(source: source, path: path).map(unit)
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
