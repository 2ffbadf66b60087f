// Loading programs: the entry file and every local module it imports, transitively, are read,
// parsed and resolved before anything runs or is compiled, so a syntax error anywhere stops
// the program before its first statement (LANGUAGE.md §1). Both backends load through here.

import Foundation
import NtntSyntax

/// Finds, parses and resolves a program's modules.
public final class ProgramLoader {
    /// Global builtin names in the order the resolver indexes them.
    public let globalNames: [String]
    /// Parsed, resolved modules by canonical path.
    public private(set) var modules: [String: Module] = [:]
    /// Canonical paths in load order (the entry first).
    public private(set) var loadOrder: [String] = []
    public private(set) var diagnostics = Diagnostics()
    /// Every file loaded for the program, in load order (what --watch watches).
    public private(set) var sourcePaths: [String] = []

    public init(globalNames: [String]) {
        self.globalNames = globalNames
    }

    /// Loads the entry file and its local imports. Returns nil when any file failed.
    public func loadProgram(path: String, displayPath: String? = nil) -> Module? {
        var stack: [String] = []
        return load(path: path, displayPath: displayPath ?? path, canonical: canonicalPath(path), stack: &stack, importLoc: nil)
    }

    /// Loads a program from source text (tests).
    public func loadProgram(source: String, path: String) -> Module? {
        let file = SourceFiles.add(path: path, bytes: Array(source.utf8))
        var stack: [String] = []
        return parse(file: file, canonical: canonicalPath(path), stack: &stack)
    }

    public func canonicalPath(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.path
    }

    public static func isLocal(_ path: String) -> Bool { path.hasPrefix("./") || path.hasPrefix("../") }

    /// `./x` relative to the importing file's directory, with `.tnt` added when there is no extension.
    public func resolvePath(_ importPath: String, from importer: String) -> String {
        let dir = (importer as NSString).deletingLastPathComponent
        var p = dir.isEmpty ? importPath : dir + "/" + importPath
        if (importPath as NSString).pathExtension.isEmpty { p += ".tnt" }
        return p
    }

    /// The canonical path of the module `importPath` names from `importer` (a file location).
    public func canonicalImport(_ importPath: String, from importer: String) -> String {
        canonicalPath(resolvePath(importPath, from: importer))
    }

    private func load(path: String, displayPath: String, canonical: String, stack: inout [String], importLoc: SourceLoc?) -> Module? {
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

    private func parse(file: SourceFile, canonical: String, stack: inout [String]) -> Module? {
        var parser = Parser(file: file)
        let module = parser.parseModule()
        for d in parser.diagnostics.items { diagnostics.error(d.loc, d.message) }
        if parser.diagnostics.hasErrors { return nil }
        var resolver = Resolver(globalNames: globalNames)
        resolver.resolve(module)
        modules[canonical] = module
        loadOrder.append(canonical)
        sourcePaths.append(file.location)

        stack.append(canonical)
        defer { stack.removeLast() }
        var ok = true
        for stmt in module.body.statements {
            guard case .importStmt(let imp) = stmt.kind, ProgramLoader.isLocal(imp.path) else { continue }
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
        return ok ? module : nil
    }
}
