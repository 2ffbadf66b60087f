// The base class of every transpiled program: runs the entry module, runs local modules once
// on first import, and reports errors exactly as `ntnt run` does (first line, exit status).

#if canImport(Glibc)
import Glibc
#endif

/// A transpiled program (generated subclasses fill in the module table).
open class CompiledProgram {
    public let rt = CompiledRuntime(output: OutputBuffer())
    private var exports: [String: ValueMap] = [:]
    private var running: Set<String> = []
    /// Module instances live as long as the program: their functions refer back to them.
    public var instances: [AnyObject] = []

    public init() {}

    /// The instance of a module class (compiled code calls its functions directly; the module
    /// ran when it was imported, which happens before any of its functions can be reached).
    public func instance<T: AnyObject>(_ type: T.Type) -> T {
        for i in instances { if let m = i as? T { return m } }
        fatalError("module \(T.self) used before it ran")  // compiler bug: imports run first
    }

    /// The entry module's class name.
    open var entryClass: String { "" }
    /// The entry file as given to the compiler (for messages).
    open var entryFile: String { "" }
    /// The entry file's directory (static folders resolve against it).
    open var entryDirectory: String { "" }

    /// Runs module `name`'s top level and returns its exports (generated).
    open func runModule(_ name: String) throws -> ValueMap { [:] as ValueMap }

    /// The exports of module `name`, running it on first use.
    public func moduleExports(_ name: String) throws -> ValueMap {
        if let e = exports[name] { return e }
        if running.contains(name) { throw RuntimeError("circular import") }
        running.insert(name)
        let e = try runModule(name)
        exports[name] = e
        return e
    }

    /// Runs the program and exits with its status.
    public func main() -> Never {
        rt.entryDirectory = entryDirectory
        var status: Int32 = 0
        do {
            _ = try moduleExports(entryClass)
        } catch is CompiledProgramExit {
        } catch let e as RuntimeError {
            rt.output.flush()
            writeStandardError(e.report + "\n")
            status = 1
        } catch {
            rt.output.flush()
            writeStandardError("runtime error: \(error)\n")
            status = 1
        }
        rt.output.flush()
        exit(status)
    }
}

extension ValueMap: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }
}

/// An environment variable's value.
public func getenvString(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}
