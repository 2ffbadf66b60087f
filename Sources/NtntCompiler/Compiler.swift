// The compiler's pipeline: load (parse + resolve every module, as `ntnt run` does) → emit one
// Swift class per module → write a Swift package from the files in Templates/.
//
// Several programs can share one package (each becomes a `CompiledProgram` subclass selected
// by name at run time); the conformance tests use that to build the whole corpus at once.

import Foundation
import NtntSema
import NtntSyntax

/// A program to compile.
public struct CompileUnit {
    /// Identifier-safe name (selects the program in a multi-program package).
    public var name: String
    public var path: String
    public var displayPath: String

    public init(name: String, path: String, displayPath: String? = nil) {
        self.name = name
        self.path = path
        self.displayPath = displayPath ?? path
    }
}

/// What went wrong, rendered like `ntnt run`'s diagnostics.
public struct CompileFailure: Error {
    public let report: String
}

/// Transpiles ntnt programs to Swift.
public enum Compiler {
    /// Swift source for each program: `[(program name, source)]`.
    public static func emit(_ units: [CompileUnit], globalNames: [String]) -> Result<[(name: String, source: String)], CompileFailure> {
        var outputs: [(String, String)] = []
        for unit in units {
            switch compile(unit, globalNames: globalNames) {
            case .success(let o): outputs.append((o.name, o.source))
            case .failure(let f): return .failure(f)
            }
        }
        return .success(outputs)
    }

    /// One program compiled: its Swift source and the `--report` text.
    public struct Output {
        public let name: String
        public let source: String
        public let report: String
    }

    /// Compiles one program.
    /// `statements`: SQL texts described against a database at compile time (SQLCheck), with
    /// their result columns; calls of those get typed rows (TypedRows).
    public static func compile(_ unit: CompileUnit, globalNames: [String],
                               statements: [String: [DescribedColumn]] = [:]) -> Result<Output, CompileFailure> {
        do {
            let loader = ProgramLoader(globalNames: globalNames)
            guard loader.loadProgram(path: unit.path, displayPath: unit.displayPath) != nil else {
                return .failure(CompileFailure(report: loader.diagnostics.render()))
            }
            let prefix = "P_\(sanitize(unit.name))"
            var classNames: [String: String] = [:]
            for (i, canonical) in loader.loadOrder.enumerated() {
                let base = ((canonical as NSString).lastPathComponent as NSString).deletingPathExtension
                classNames[canonical] = "\(prefix)_M\(i)_\(sanitize(base))"
            }
            var parts: [String] = []
            var globals: Set<String> = []
            var calledGlobals: Set<String> = []
            let facts = ProgramFacts(loader: loader)
            let typed = TypedHandlers.roles(facts, loadOrder: loader.loadOrder)
            let batching = QueryBatching(values: facts.values, loadOrder: loader.loadOrder)
            let rows = TypedRows(statements: statements, prefix: prefix, facts: facts, loader: loader)
            var emitters: [SwiftEmitter] = []
            var stdFunctions: [String: (path: String, name: String, namespace: Bool)] = [:]
            for canonical in loader.loadOrder {
                let module = loader.modules[canonical]!
                let emitter = SwiftEmitter(
                    module: module, className: classNames[canonical]!,
                    localModules: classNames,
                    resolvePath: { loader.canonicalImport($0, from: module.file.location) },
                    globalNames: globalNames, isEntry: canonical == loader.loadOrder[0], facts: facts,
                    modulePath: canonical, typedHandlers: typed, batching: batching, rows: rows)
                do {
                    parts.append(try emitter.emitModule())
                } catch let e as CompileError {
                    let d = Diagnostic(e.loc, e.message + " (use `ntnt run`, which supports it)")
                    return .failure(CompileFailure(report: d.render().replacingOccurrences(of: "parse error:", with: "compile error:")))
                } catch {
                    return .failure(CompileFailure(report: "compile error: \(error)"))
                }
                globals.formUnion(emitter.usedGlobals)
                calledGlobals.formUnion(emitter.calledGlobals)
                stdFunctions.merge(emitter.usedStdFunctions) { a, _ in a }
                emitters.append(emitter)
            }
            let router = GeneratedRouter(RouteTable.entries(facts.values, loadOrder: loader.loadOrder))
            let routeTable = router.routes == nil ? nil : "\(prefix)_routes"
            let entryClass = classNames[loader.loadOrder[0]]!
            let entryDirectory = (URL(fileURLWithPath: unit.path).standardizedFileURL.path as NSString).deletingLastPathComponent
            let out = SwiftCodeWriter()
            out.line("// Generated by ntnt from \(unit.displayPath). Do not edit: re-run `ntnt transpile`.")
            out.line("")
            out.line("import NtntRuntime")
            out.line("")
            out.line("/// \(unit.displayPath): its modules, run on first import.")
            out.block("final class \(prefix)_Program: CompiledProgram") {
                out.line("override var entryClass: String { \(SwiftCodeWriter.literal(entryClass)) }")
                out.line("override var entryFile: String { \(SwiftCodeWriter.literal(unit.displayPath)) }")
                out.line("override var entryDirectory: String { \(SwiftCodeWriter.literal(entryDirectory)) }")
                out.line("")
                out.block("override func runModule(_ name: String) throws -> ValueMap") {
                    out.line("switch name {")
                    for canonical in loader.loadOrder {
                        let cls = classNames[canonical]!
                        out.line("case \(SwiftCodeWriter.literal(cls)):")
                        out.indented {
                            out.line("let m = \(cls)(rt: rt, program: self)")
                            out.line("instances.append(m)")
                            if canonical == loader.loadOrder[0] {
                                out.line("rt.makeWorkerCopy = { [unowned m] in m.workerCopy() }")
                                if let routeTable { out.line("rt.compiledRoutes = \(routeTable)") }
                            }
                            out.line("return try m.run()")
                        }
                    }
                    out.line("default: throw RuntimeError(\"Unknown module \\(name)\")")
                    out.line("}")
                }
            }
            out.line("")
            // Only what the code uses: a global read as a value, or called directly.
            for g in globals.sorted() {
                let id = SwiftCodeWriter.identifier(g)
                out.line(g == "None" ? "private let g_\(id): Value = .none"
                                     : "private let g_\(id): Value = Builtins.globals[\(SwiftCodeWriter.literal(g))]!")
            }
            for g in calledGlobals.sorted() {
                out.line("private let gf_\(SwiftCodeWriter.identifier(g)): BuiltinFunction = Builtins.function(\(SwiftCodeWriter.literal(g)))")
            }
            for (constant, f) in stdFunctions.sorted(by: { $0.key < $1.key }) {
                out.line("private let \(constant): BuiltinFunction = Builtins.stdFunction(\(SwiftCodeWriter.literal(f.name)), from: \(SwiftCodeWriter.literal(f.path)), namespace: \(f.namespace))")
            }
            for emitter in emitters {
                for (name, keys) in emitter.mapKeyConstants {
                    out.line("private let \(name): [String] = [\(keys.map(SwiftCodeWriter.literal).joined(separator: ", "))]")
                }
            }
            out.line("")
            _ = router.write(prefix: prefix, to: out)
            for shape in rows.usedShapes {
                out.line("")
                RowStructs.write(shape, to: out)
            }
            let source = out.lines.joined(separator: "\n") + "\n\n" + parts.joined(separator: "\n\n") + "\n"
            let report = CompileReport(facts: facts, loadOrder: loader.loadOrder, emitters: emitters, batching: batching, router: router).render()
            return .success(Output(name: unit.name, source: source, report: report))
        }
    }

    static func sanitize(_ s: String) -> String { SwiftCodeWriter.identifier(s) }
}
