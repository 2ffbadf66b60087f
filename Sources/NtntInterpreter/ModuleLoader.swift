// Loading programs: the entry file and every local module it imports, transitively, are read,
// parsed and resolved before anything runs, so a syntax error anywhere stops the program
// before its first statement (LANGUAGE.md §1). Modules then run once, on first import, and
// their top-level names become the exports (copies taken when the module finished).

import Foundation
import NtntRuntime
import NtntSema
import NtntSyntax

/// A parsed and resolved module, and its exports once it has run.
final class LoadedModule {
    let module: Module
    let path: String
    var exports: ValueMap?
    var isRunning = false

    init(module: Module, path: String) {
        self.module = module
        self.path = path
    }
}

/// Finds, parses and resolves modules; runs local modules on first import.
final class ModuleLoader {
    private var modules: [String: LoadedModule] = [:]
    private(set) var diagnostics = Diagnostics()
    /// Every file loaded for the program, in load order (what --watch watches).
    private(set) var sourcePaths: [String] = []

    /// Loads the entry file and its local imports. Returns nil when any file failed.
    func loadProgram(path: String, displayPath: String? = nil) -> LoadedModule? {
        var stack: [String] = []
        return load(path: path, displayPath: displayPath ?? path, canonical: canonicalPath(path), stack: &stack, importLoc: nil)
    }

    /// Loads a program from source text (used by tests and `-e`-style callers).
    func loadProgram(source: String, path: String) -> LoadedModule? {
        let file = SourceFiles.add(path: path, bytes: Array(source.utf8))
        var stack: [String] = []
        return parse(file: file, canonical: canonicalPath(path), stack: &stack)
    }

    private func canonicalPath(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.path
    }

    private func load(path: String, displayPath: String, canonical: String, stack: inout [String], importLoc: SourceLoc?) -> LoadedModule? {
        if let m = modules[canonical] { return m }
        guard let file = SourceFiles.load(path: path, displayPath: displayPath) else {
            if let importLoc {
                diagnostics.error(importLoc, "cannot read module '\(displayPath)'")
            } else {
                diagnostics.error(SourceLoc.unknown, "cannot read file '\(displayPath)'")
            }
            return nil
        }
        return parse(file: file, canonical: canonical, stack: &stack)
    }

    private func parse(file: SourceFile, canonical: String, stack: inout [String]) -> LoadedModule? {
        var parser = Parser(file: file)
        let module = parser.parseModule()
        for d in parser.diagnostics.items { diagnostics.error(d.loc, d.message) }
        if parser.diagnostics.hasErrors { return nil }
        var resolver = Resolver(globalNames: Interpreter.globalNames)
        resolver.resolve(module)
        let loaded = LoadedModule(module: module, path: canonical)
        modules[canonical] = loaded
        sourcePaths.append(file.location)

        // Load local imports now, so every file is checked before anything runs.
        stack.append(canonical)
        defer { stack.removeLast() }
        var ok = true
        for stmt in module.body.statements {
            guard case .importStmt(let imp) = stmt.kind, isLocal(imp.path) else { continue }
            let target = resolvePath(imp.path, from: file.location)
            let displayTarget = resolvePath(imp.path, from: file.path)
            let canonicalTarget = canonicalPath(target)
            if stack.contains(canonicalTarget) {
                diagnostics.error(imp.loc, "circular import of '\(imp.path)'")
                ok = false
                continue
            }
            if load(path: target, displayPath: displayTarget, canonical: canonicalTarget, stack: &stack, importLoc: imp.loc) == nil {
                ok = false
            }
        }
        return ok ? loaded : nil
    }

    func isLocal(_ path: String) -> Bool { path.hasPrefix("./") || path.hasPrefix("../") }

    /// `./x` relative to the importing file's directory, with `.tnt` added when there is no extension.
    func resolvePath(_ importPath: String, from importer: String) -> String {
        let dir = (importer as NSString).deletingLastPathComponent
        var p = dir.isEmpty ? importPath : dir + "/" + importPath
        if (importPath as NSString).pathExtension.isEmpty { p += ".tnt" }
        return p
    }

    /// Runs (once) the module `importPath` names and returns its exports.
    func exports(of importPath: String, from importer: SourceFile, interpreter: Interpreter) throws -> ValueMap {
        let canonical = canonicalPath(resolvePath(importPath, from: importer.location))
        guard let m = modules[canonical] else { throw RuntimeError("Unknown module '\(importPath)'") }
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
