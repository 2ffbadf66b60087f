// The tree-walking evaluator over the resolved AST.
//
// One `Interpreter` owns the mutable state of a run — the globals table, the call depth, the
// saved `old()` values, the output buffer — and walks the immutable resolved tree. Value
// semantics (arithmetic, equality, display, the standard library) all live in NtntRuntime;
// this layer only decides *what* to evaluate and in which scope. Statements report how they
// finished with a `Flow` value (no exceptions for break/continue/return); only runtime errors
// and the `?` early return travel as Swift errors.

import NtntRuntime
import NtntSema
import NtntSyntax

/// Evaluates loaded programs.
public final class Interpreter {
    /// Global builtins in resolver order.
    static let globalNames: [String] = Builtins.globals.keys.sorted()
    /// The same names, for the compiler (which resolves names as the interpreter does).
    public static var globalNamesForCompiler: [String] { globalNames }
    let globals: [Value]
    let context: CallContext
    let loader: ModuleLoader

    /// Calls deeper than this raise `Maximum recursion depth exceeded` (the run thread's stack
    /// is sized for it; see `ScriptRunner`).
    static let maxCallDepth = 10_000
    var callDepth = 0
    /// Calls and loop iterations left before the run is stopped (tests bound runaway programs).
    var stepsLeft = Int.max
    /// Values of `old(e)` for the ensures clauses being checked.
    var oldValues: [Value] = []
    /// The value of the last statement run (a function's implicit result).
    var lastValue: Value = .unit
    /// The value carried by a `return` (read when a statement yields `.returned`).
    var returnValue: Value = .unit
    /// Program output, flushed in large writes.
    var output: OutputBuffer
    /// Routes, middleware and static folders registered by top-level code.
    let registry = AppRegistry()
    /// How `listen` serves (CLI flags and environment).
    var serveOptions = ServeOptions()
    /// The entry module's scope and file location, captured when it starts running.
    var entryScope: Scope?
    var entryScopeFile: String?
    var entryDisplayPath: String?
    /// Set while a --watch reload re-runs the top level (listen then only returns).
    var isReloading = false

    init(loader: ModuleLoader, output: OutputBuffer) {
        self.loader = loader
        self.output = output
        self.globals = Interpreter.globalNames.map { Builtins.globals[$0]! }
        let context = CallContext(invoke: { _, _ in .unit }, writeLine: { _ in })
        self.context = context
        context.invoke = { [unowned self] f, args in try self.call(f, args, at: .unknown) }
        context.writeLine = { [unowned self] line in self.output.writeLine(line) }
        context.registerRoute = { [unowned self] method, pattern, handler in
            self.registry.routes.append((method, pattern, handler))
        }
        context.serverCall = { [unowned self] name, args in try self.serverCall(name, args) }
    }

    // MARK: - Modules

    /// Runs a module's top level and returns its scope.
    func runModule(_ unit: LoadedModule) throws -> Scope {
        let body = unit.module.body
        let scope = Scope(count: body.scope.slotCount, parent: nil)
        if entryScope == nil {
            entryScope = scope
            entryScopeFile = unit.module.file.location
            entryDisplayPath = unit.module.file.path
        }
        hoist(body.scope, into: scope)
        do {
            let flow = try execStatements(body.statements, scope)
            _ = flow
        } catch var e as NtntError {
            e.frames.append(("<main>", e.pendingLoc ?? body.loc))
            e.pendingLoc = nil
            throw e
        } catch is TryReturn {
            throw ProgramExit()
        }
        return scope
    }

    /// Creates the closures of hoisted `fn` declarations as a scope is entered.
    @inline(__always)
    func hoist(_ info: ScopeInfo, into scope: Scope) {
        for f in info.hoistedFunctions {
            scope.slots[f.decl!.slot] = .function(Closure(decl: f, env: scope))
        }
    }

    // MARK: - Calls

    /// Counts one unit of work against `stepsLeft`.
    @inline(__always)
    func step() throws {
        stepsLeft &-= 1
        if stepsLeft < 0 { throw RuntimeError("step limit exceeded") }
    }

    /// Calls any function value.
    func call(_ callee: Value, _ args: [Value], at loc: SourceLoc) throws -> Value {
        guard case .function(let f) = callee else {
            throw RuntimeError("Cannot call a value of type \(callee.typeName)")
        }
        if let closure = f as? Closure {
            return try callClosure(closure, args)
        }
        if let builtin = f as? BuiltinFunction {
            return try builtin.call(args, context)
        }
        throw RuntimeError("Cannot call a value of type \(callee.typeName)")
    }

    func callClosure(_ closure: Closure, _ args: [Value]) throws -> Value {
        let decl = closure.decl
        let displayName = decl.name ?? "<fn>"
        if args.count < decl.requiredArity || args.count > decl.parameters.count {
            throw arityError(name: displayName, min: decl.requiredArity, max: decl.parameters.count, got: args.count)
        }
        if callDepth >= Interpreter.maxCallDepth { throw RuntimeError("Maximum recursion depth exceeded") }
        try step()
        callDepth += 1
        defer { callDepth -= 1 }

        let scope: Scope? = decl.scope.isMaterialized ? Scope(count: decl.scope.slotCount, parent: closure.env) : closure.env
        do {
            if let scope {
                for (i, p) in decl.parameters.enumerated() {
                    if i < args.count {
                        scope.slots[p.decl.slot] = args[i]
                    } else {
                        scope.slots[p.decl.slot] = try eval(p.defaultValue!, scope)
                    }
                }
                hoist(decl.scope, into: scope)
            }
            for clause in decl.requires where !(try eval(clause.condition, scope).isTruthy) {
                throw RuntimeError("Precondition failed in '\(displayName)': \(clause.text)", kind: .precondition)
            }
            var saved: [Value] = []
            if !decl.oldExpressions.isEmpty {
                saved = try decl.oldExpressions.map { try eval($0, scope) }
            }

            var result: Value
            do {
                lastValue = .unit
                let flow = try execStatements(decl.body.statements, scope)
                result = flow == .returned ? returnValue : lastValue
            } catch let early as TryReturn {
                result = early.value
            }

            if !decl.ensures.isEmpty {
                let ensuresScope = Scope(count: decl.ensuresScope.slotCount, parent: scope)
                ensuresScope.slots[0] = result
                let outerOld = oldValues
                oldValues = saved
                defer { oldValues = outerOld }
                for clause in decl.ensures where !(try eval(clause.condition, ensuresScope).isTruthy) {
                    throw RuntimeError("Postcondition failed in '\(displayName)': \(clause.text)", kind: .postcondition)
                }
            }
            return result
        } catch var e as NtntError {
            e.frames.append((displayName, e.pendingLoc ?? decl.loc))
            e.pendingLoc = nil
            throw e
        } catch let e as RuntimeError {
            // Raised outside any statement (a contract or a default value): the frame is the declaration.
            var wrapped = NtntError(e)
            wrapped.frames.append((displayName, decl.loc))
            throw wrapped
        }
    }
}
