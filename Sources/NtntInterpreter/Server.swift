// `listen(port)`: serving a program's routes with the runtime's HTTP server.
//
// Top-level code runs once, on the main interpreter, registering routes, middleware and
// static folders. Each worker thread then gets its own `Interpreter` and its own copy of the
// entry module's scope (functions re-bound to that copy), so handlers running in parallel
// never share mutable interpreter state (LANGUAGE.md §10.7: module variables are per worker).
// The parsed, resolved program itself is shared and never mutated.

#if canImport(Glibc)
import Glibc
#endif
import NtntRuntime
import NtntSema
import NtntSyntax

extension Interpreter {
    /// The `listen`, `serve_static` and `use_middleware` builtins.
    func serverCall(_ name: String, _ args: [Value]) throws -> Value {
        switch name {
        case "serve_static", "use_middleware":
            try registry.register(name, args, base: entryDirectory)
            return .unit
        case "listen":
            guard case .int(let port) = args[0] else { throw typeError("listen", "Int", args[0]) }
            // A reload re-runs top-level code only to collect the new routes.
            if isReloading { throw ListenReached() }
            try serve(port: serveOptions.port ?? port)
            throw ProgramExit()
        default:
            throw RuntimeError("\(name)(): not available")
        }
    }

    /// The directory of the entry file (static folders resolve against it).
    var entryDirectory: String {
        guard let loc = entryScopeFile else { return "" }
        let parts = loc.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 1 ? parts.dropLast().joined(separator: "/") : ""
    }

    func serve(port: Int) throws {
        guard port > 0 && port < 65536 else { throw RuntimeError("listen(): port must be between 1 and 65535") }
        let options = serveOptions
        let config = options.configuration(port: port, workerStackSize: ScriptRunner.workerStackSize)
        output.flush()
        let facts = ProgramFacts(loader: loader.program)
        let host = ProgramHost(initial: self, facts: facts, workerCount: config.workers + config.eventLoops)
        if options.watch { host.startWatching() }
        // Routes whose handlers are proven not to block run on the event loops (not with
        // --watch: a reload may change the routes).
        var inline: ((inout HTTPRequest) -> Bool)? = nil
        if !options.watch {
            inline = AppDispatcher(registry: registry, quiet: true, facts: handlerFacts(facts)).canRunInline
        }
        let server = HTTPServer(configuration: config, canRunInline: inline) { index in
            return { request in host.handle(&request, worker: index) }
        }
        try server.serveProgram(routeCount: registry.routes.count, mode: "")
    }
}

/// What the program analysis proved of an interpreted function value registered with the server.
func handlerFacts(_ facts: ProgramFacts) -> (Value) -> HandlerFacts {
    { v in
        guard case .function(let f) = v, let c = f as? Closure else { return .unknown }
        let known = facts.facts(of: c.decl)
        let read = RequestFields(names: known.request.fields)
        let fields = known.request.escapes ? RequestFields.all : read
        return HandlerFacts(blocks: known.blocks, fields: fields, isConstant: known.isConstant,
                            middlewareFields: known.request.escapesBesidesReturn ? .all : read)
    }
}

/// Thrown by `listen` while a reloaded program's top level runs.
struct ListenReached: Error {}

/// The program version being served, and (with --watch) the reloads that replace it.
///
/// A version is a main interpreter that has run the program's top level. Each worker keeps a
/// `RequestWorker` built from the version it saw last and rebuilds it when the version
/// changes, between requests: requests in flight finish on the old version.
final class ProgramHost {
    private let lock = Monitor()
    private var current: Interpreter
    private var currentFacts: ProgramFacts
    private var generation = 0
    /// One slot per worker thread. Only worker `index` touches slot `index`, so a slot needs no
    /// lock; the array itself is never changed (threads mutating one array would race).
    private final class WorkerSlot {
        var generation = -1
        var worker: RequestWorker?
    }
    private let slots: [WorkerSlot]
    private var watcher: NativeThread?

    init(initial: Interpreter, facts: ProgramFacts, workerCount: Int) {
        current = initial
        currentFacts = facts
        slots = (0..<workerCount).map { _ in WorkerSlot() }
    }

    func handle(_ request: inout HTTPRequest, worker index: Int) -> HTTPResponse {
        let (main, facts, gen) = lock.withLock { (current, currentFacts, generation) }
        let slot = slots[index]
        if slot.generation != gen || slot.worker == nil {
            slot.generation = gen
            slot.worker = RequestWorker(main: main, facts: facts, index: index)
        }
        return slot.worker!.handle(&request)
    }

    /// Polls the program's source files twice a second and reloads when one changes.
    func startWatching() {
        let files = current.loader.sourcePaths
        var stamps = files.map(modificationStamp)
        watcher = NativeThread(stackSize: ScriptRunner.stackSize) { [weak self] in
            while let self {
                usleep(500_000)
                let now = self.current.loader.sourcePaths
                let newStamps = now.map(modificationStamp)
                if now == files && newStamps == stamps { continue }
                stamps = newStamps
                self.reload()
            }
        }
        watcher?.detach()  // it ends with the host, and nobody waits for it
        writeStandardError("ntnt: watching \(files.count) file(s) for changes\n")
    }

    private func reload() {
        let old = current
        guard let entry = old.entryScopeFile else { return }
        let loader = ModuleLoader()
        guard let program = loader.loadProgram(path: entry, displayPath: old.entryDisplayPath) else {
            writeStandardError(loader.diagnostics.render() + "\nntnt: reload failed; still serving the previous version\n")
            return
        }
        let output = OutputBuffer()
        output.autoFlush = true
        let next = Interpreter(loader: loader, output: output)
        next.serveOptions = old.serveOptions
        next.isReloading = true
        do {
            _ = try next.runModule(program)
        } catch is ListenReached {
        } catch let e as NtntError {
            writeStandardError(e.render() + "\nntnt: reload failed; still serving the previous version\n")
            return
        } catch {
            writeStandardError("ntnt: reload failed (\(error)); still serving the previous version\n")
            return
        }
        let facts = ProgramFacts(loader: loader.program)
        lock.withLock {
            current = next
            currentFacts = facts
            generation += 1
        }
        writeStandardError("ntnt: reloaded (\(next.registry.routes.count) route(s))\n")
    }
}

/// The modification time of a file (nanoseconds), or -1 when it cannot be read.
func modificationStamp(_ path: String) -> Int {
    var st = stat()
    guard stat(path, &st) == 0 else { return -1 }
    return Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec) + Int(st.st_size)
}

/// One worker's interpreter and its copies of the program's handlers.
final class RequestWorker {
    let interpreter: Interpreter
    let dispatcher: AppDispatcher

    init(main: Interpreter, facts: ProgramFacts, index: Int) {
        let output = OutputBuffer()
        output.autoFlush = true
        interpreter = Interpreter(loader: main.loader, output: output)
        interpreter.serveOptions = main.serveOptions
        // Copy the entry module's scope so this worker's module variables are its own.
        var rebind: (Value) -> Value = { $0 }
        if let original = main.entryScope {
            let copy = Scope(count: original.slots.count, parent: nil)
            rebind = { v in
                if case .function(let f) = v, let c = f as? Closure, c.env === original {
                    return .function(Closure(decl: c.decl, env: copy))
                }
                return v
            }
            for i in 0..<original.slots.count { copy.slots[i] = original.slots[i].map(rebind) }
        }
        // No `call`: the interpreter evaluates every handler on every request (constant responses
        // are computed once only in compiled programs).
        dispatcher = AppDispatcher(registry: main.registry, quiet: main.serveOptions.quiet, rebind: rebind,
                                   facts: handlerFacts(facts))
    }

    func handle(_ request: inout HTTPRequest) -> HTTPResponse {
        let interpreter = self.interpreter
        return dispatcher.handle(request, call: { f, args in try interpreter.call(f, args, at: .unknown) }, describe: { error in
            interpreter.callDepth = 0
            if let e = error as? NtntError {
                return HandlerErrorReport(text: e.render(), isPrecondition: e.error.kind == .precondition, message: e.error.message)
            }
            return HandlerErrorReport.describe(error)
        })
    }
}

