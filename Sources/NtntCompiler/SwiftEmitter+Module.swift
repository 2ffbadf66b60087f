// A module as a Swift class: its variables (Cells), the top level as `run()`, its exports, the
// function values a server worker's copy re-makes, and one method per top-level function.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    // MARK: - Module

    /// The Swift class for this module.
    func emitModule() throws -> String {
        let body = module.body
        // Direct-call methods for top-level functions bound once and never reassigned.
        for f in body.scope.hoistedFunctions {
            if case .function(let g) = facts.values.exported(f.name!, of: modulePath), g === f {
                directFunctions[f.name!] = ("fn_\(identifierPart(f.name!))", f.requiredArity, f.parameters.count)
            }
        }
        variables = CaptureAnalysis.analyze(module, typedRowCall: { [rows] in rows?.call($0) != nil })
        inferNativeSlots()
        let mainBody = try writer.capture(indent: 2) {
            openScope(body.scope, names: slotNames(body), isModule: true)
            try traced("<main>") {
                for s in body.statements { try statement(s) }
            }
        }
        var methods: [String] = []
        for f in body.scope.hoistedFunctions where directFunctions[f.name!] != nil {
            methods += try writer.capture(indent: 1) { try emitFunctionMethod(f) }
        }
        closeScope()

        let slots = slotNames(body)
        func cell(_ slot: Int) -> String { "v1_\(slot)" + (slots[slot].map { "_" + identifierPart($0) } ?? "") }
        let out = SwiftCodeWriter()
        out.line("/// \(module.file.path) compiled.")
        try out.block("final class \(className)") {
            out.line("let rt: CompiledRuntime")
            for slot in 0..<body.scope.slotCount { out.line("let \(cell(slot)) = Cell()") }
            out.line("")
            out.line("unowned let program: CompiledProgram")
            for cls in usedModuleInstances.sorted() {
                out.line("/// The module whose functions this one calls directly (it ran when imported).")
                out.line("lazy var module_\(cls): \(cls) = program.instance(\(cls).self)")
            }
            out.line("")
            out.block("init(rt: CompiledRuntime, program: CompiledProgram)") {
                out.line("self.rt = rt")
                out.line("self.program = program")
            }
            out.line("")
            out.line("/// Runs the module's top level; returns its exports.")
            out.block("func run() throws -> ValueMap") {
                mainBody.forEach(out.raw)
                out.line("return exports()")
            }
            out.line("")
            out.block("func exports() -> ValueMap") {
                out.line("var m = ValueMap()")
                for (name, slot) in Resolver.moduleSlots(module).sorted(by: { $0.value < $1.value }) {
                    out.line("if let v = \(cell(slot)).value { m[\(swiftString(name))] = v }")
                }
                out.line("return m")
            }
            out.line("")
            out.line("/// Module-level function values by number: the top level makes each once; a server")
            out.line("/// worker's copy of the module makes its own over the copy.")
            out.block("func moduleFunction(_ index: Int) -> Value") {
                out.line("switch index {")
                for (i, code) in moduleFunctions.enumerated() { out.line("case \(i): return \(code)") }
                out.line("default: return .unit")
                out.line("}")
            }
            out.line("")
            out.line("/// A copy of the module's variables for one server worker (module variables are per")
            out.line("/// worker, as under `ntnt run`): its functions re-made over the copy, other values copied.")
            out.block("func workerCopy() -> WorkerModuleCopy") {
                out.line("let copy = \(className)(rt: rt, program: program)")
                out.line("let original = ObjectIdentifier(self)")
                out.line("let rebind: (Value) -> Value = { v in")
                out.indented {
                    out.block("if case .function(let f) = v, let c = f as? CompiledFunction, c.owner == original") {
                        out.line("return copy.moduleFunction(c.moduleFunctionIndex)")
                    }
                    out.line("return v")
                }
                out.line("}")
                for slot in 0..<body.scope.slotCount { out.line("copy.\(cell(slot)).value = \(cell(slot)).value.map(rebind)") }
                out.line("return (copy, rebind)")
            }
            out.line("")
            methods.forEach(out.raw)
        }
        return out.lines.joined(separator: "\n")
    }

    /// Names of the module scope's slots (for readable Swift).
    func slotNames(_ body: Block) -> [Int: String] {
        var names: [Int: String] = [:]
        for (name, slot) in Resolver.moduleSlots(module) { names[slot] = name }
        return names
    }
}
