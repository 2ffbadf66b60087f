// Run-time scopes, closures and the errors that unwind the evaluator.
//
// A `Scope` is a fixed array of slots plus a parent link; the resolver already turned every
// name into (hops, slot), so a variable read is `hops` pointer hops and an array index — no
// hashing. An empty slot (nil) is a variable whose `let` has not run yet.

import NtntRuntime
import NtntSyntax

/// One materialised scope.
final class Scope {
    var slots: [Value?]
    let parent: Scope?

    init(count: Int, parent: Scope?) {
        slots = [Value?](repeating: nil, count: count)
        self.parent = parent
    }

    /// The scope `hops` levels up.
    @inline(__always)
    func ancestor(_ hops: Int) -> Scope {
        var s = self
        for _ in 0..<hops { s = s.parent! }
        return s
    }
}

/// A user function or closure with the environment it closes over.
final class Closure: FunctionValue {
    let decl: FunctionDecl
    let env: Scope?
    init(decl: FunctionDecl, env: Scope?) {
        self.decl = decl
        self.env = env
        super.init(name: decl.name)
    }
}

/// A runtime error on its way up, gathering the ntnt call stack as it unwinds.
struct NtntError: Error {
    var error: RuntimeError
    /// Innermost statement location of the frame currently unwinding (nil until one is known).
    var pendingLoc: SourceLoc?
    /// Completed frames, innermost first: function name and statement location.
    var frames: [(name: String, loc: SourceLoc)] = []

    init(_ error: RuntimeError) {
        self.error = error
    }

    /// `runtime error: MESSAGE`, ` --> FILE:LINE`, then one `at FILE:LINE in NAME` per frame.
    func render() -> String {
        renderErrorReport(message: error.message, frames: frames.map { ($0.name, SourceFiles.describe($0.loc)) })
    }
}

/// `e?` on None/Err: returns that value from the enclosing function (or ends the program).
struct TryReturn: Error {
    let value: Value
}

/// How a statement finished.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned
}

/// Thrown at top level by `return` to end the program with exit status 0.
struct ProgramExit: Error {}
