// `x = push(x, e)`: both backends append to x's array in place for this shape (calling push
// would copy the array, making a loop of pushes quadratic). One definition of the shape.

import NtntSyntax

/// For an assignment `target = value` of the form `x = push(x, e)` (push being the global
/// builtin, x the same variable on both sides): `e`; otherwise nil.
public func pushOntoItself(_ target: VarRef, _ value: Expr, globalNames: [String]) -> Expr? {
    guard case let .call(.name(f), args, _) = value, args.count == 2, case .global(let g) = f.binding,
          globalNames[g] == "push", case .name(let first) = args[0],
          case let .local(h1, s1) = first.binding, case let .local(h2, s2) = target.binding, h1 == h2, s1 == s2
    else { return nil }
    return args[1]
}
