// The pipeline in one place (jlox's `run()`): load (lex, parse, resolve every module) → stop on
// diagnostics → interpret. The CLI and the tests both come through here, so they cannot drift.
//
// Programs run on a thread with a large stack: the evaluator recurses once per ntnt call and
// per nested expression, and a deep (but legal) recursion must hit the language's own
// `Maximum recursion depth exceeded`, never the operating system's stack guard.

import NtntRuntime
import NtntSema
import NtntSyntax

/// Runs and checks ntnt programs.
public enum ScriptRunner {
    /// Stack size of the interpreter thread: room for `Interpreter.maxCallDepth` frames.
    static let stackSize = 1 << 30
    /// Stack of each HTTP worker thread (virtual memory; pages are touched only when used).
    static let workerStackSize = 256 << 20

    /// What a run produced.
    public struct Outcome {
        public var exitCode: Int32
        /// Diagnostics or the runtime error report (empty on success).
        public var errorReport: String
        /// Routes the program registered (for the server).
        public var routeCount: Int
    }

    /// Parses, resolves and runs the program at `path`. `stdout` receives program output in
    /// chunks; the error report (if any) is returned, not printed.
    public static func run(path: String, displayPath: String? = nil, source: String? = nil, stepLimit: Int = .max, serve: ServeOptions = ServeOptions(), stdout: @escaping ([UInt8]) -> Void) -> Outcome {
        var outcome = Outcome(exitCode: 0, errorReport: "", routeCount: 0)
        NativeThread.runWithStack(stackSize) {
            let loader = ModuleLoader()
            let entry = source.map { loader.loadProgram(source: $0, path: path) } ?? loader.loadProgram(path: path, displayPath: displayPath)
            guard let program = entry else {
                outcome.exitCode = 1
                outcome.errorReport = loader.diagnostics.render()
                return
            }
            let sink = OutputBuffer(write: stdout)
            let interpreter = Interpreter(loader: loader, output: sink)
            interpreter.stepsLeft = stepLimit
            interpreter.serveOptions = serve
            defer { sink.flush() }
            do {
                _ = try interpreter.runModule(program)
            } catch is ProgramExit {
                // A top-level `return` or `?`: normal end.
            } catch let e as NtntError {
                outcome.exitCode = 1
                outcome.errorReport = e.render()
            } catch {
                outcome.exitCode = 1
                outcome.errorReport = "runtime error: \(error)"
            }
            outcome.routeCount = interpreter.registry.routes.count
        }
        return outcome
    }

    /// Parses and resolves without running; returns the rendered diagnostics (empty if clean).
    /// The warnings (request data reaching HTML unescaped) come only from a clean program.
    public static func check(path: String) -> (errors: String, warnings: [String]) {
        let loader = ModuleLoader()
        var report = ""
        var warnings: [String] = []
        NativeThread.runWithStack(stackSize) {
            if loader.loadProgram(path: path) == nil { report = loader.diagnostics.render() }
            else { warnings = RequestTaint.renderedWarnings(loader: loader.program) }
        }
        return (report, warnings)
    }
}
