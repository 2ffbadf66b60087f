// Which functions can never block: the server runs handlers proven non-blocking directly on
// its event loops (no hand-off to a worker thread) and hands the rest to the worker pool. The
// facts come from `ProgramFacts`; this is the by-name view of one module's top-level functions.

import NtntSyntax

/// The top-level functions of a module that cannot block.
public enum BlockingAnalysis {
    /// Names of top-level functions whose calls can only reach non-blocking code.
    public static func nonBlockingFunctions(_ module: Module, globalNames: [String]) -> Set<String> {
        let values = StaticValues(modules: ["main": module], globalNames: globalNames, importTarget: { path, _ in path })
        let facts = ProgramFacts(values: values, loadOrder: ["main"])
        return Set(module.body.scope.hoistedFunctions.filter { !facts.facts(of: $0).blocks }.map { $0.name! })
    }
}

extension ProgramFacts {
    /// The facts of a loaded program (every module the loader read).
    public convenience init(loader: ProgramLoader) {
        let values = StaticValues(modules: loader.modules, globalNames: loader.globalNames,
                                  importTarget: { path, module in loader.canonicalImport(path, from: module.file.location) })
        self.init(values: values, loadOrder: loader.loadOrder)
    }
}
