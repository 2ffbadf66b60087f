// The request as typed compiled handlers see it: the parsed request and its route parameters,
// with each field of the request Map (LANGUAGE.md §10.7) made only when the handler reads it,
// and then once. A route parameter, query parameter or header read by a literal name is a
// lookup, not a Map. The values are exactly those of the Map `makeValue` builds, so a typed
// handler and the same handler called with the Map answer alike.

/// A request, read field by field.
public final class RequestView {
    public let request: HTTPRequest
    public let parameters: [(name: String, value: String)]
    private var fields: [String: Value] = [:]
    private var queryMap: ValueMap?
    private var whole: Value?

    public init(_ request: HTTPRequest, parameters: [(name: String, value: String)]) {
        self.request = request
        self.parameters = parameters
    }

    /// `req.NAME` / `req["NAME"]`: the field's value (None for a name that is no field).
    public func field(_ name: String) -> Value {
        if let v = fields[name] { return v }
        let v: Value
        switch name {
        case "query_params": v = .map(queryParameters)
        case "body": return .string(String(decoding: request.body, as: UTF8.self))
        default:
            var field: RequestFields = []
            for (n, f) in RequestFields.names where n == name { field = f }
            if field.isEmpty { return Value.none }
            guard case .map(let m) = request.makeValue(parameters: parameters, fields: field), let x = m[name] else { return Value.none }
            v = x
        }
        fields[name] = v
        return v
    }

    /// `req.params["NAME"]`.
    public func param(_ name: String) -> Value {
        for p in parameters where p.name == name { return Value.string(p.value) }
        return Value.none
    }

    /// `req.query_params["NAME"]` (the query is parsed on first read).
    public func queryParam(_ name: String) -> Value {
        if let v = queryParameters[name] { return v }
        return Value.none
    }

    /// `req.headers["NAME"]` (names are lower-case; a repeated header: the last one).
    public func header(_ name: String) -> Value {
        if let h = request.header(name) { return Value.string(h) }
        return Value.none
    }

    /// The whole request Map (for a handler that uses its request as a value).
    public var value: Value {
        if let v = whole { return v }
        let v = request.makeValue(parameters: parameters)
        whole = v
        return v
    }

    private var queryParameters: ValueMap {
        if let q = queryMap { return q }
        let q = parseURLEncoded(String(request.query))
        queryMap = q
        return q
    }
}
