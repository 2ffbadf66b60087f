// Float to text, in the two formats ntnt has (LANGUAGE.md §3.3 and §10.4).
//
// Both formats start from the shortest digit string that reads back as the same double.
// Swift's own `description` already computes exactly that (it is a shortest-round-trip
// printer), so we take its digits and exponent apart and lay them out again: positionally for
// display (Rust's `{}`), and serde_json's way for JSON.

/// The shortest round-trip decimal digits of a finite, non-zero double.
struct ShortestDecimal {
    var negative: Bool
    /// ASCII digits without leading or trailing zeros.
    var digits: [UInt8]
    /// Decimal point position: value = 0.DIGITS × 10^pointPosition.
    var pointPosition: Int

    init(_ d: Double) {
        negative = d < 0
        let text = Array(d.magnitude.description.utf8)
        var mantissa: [UInt8] = []
        var exponent = 0
        var pointAt: Int? = nil
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                var sign = 1
                var j = i + 1
                if j < text.count, text[j] == UInt8(ascii: "+") { j += 1 }
                if j < text.count, text[j] == UInt8(ascii: "-") { sign = -1; j += 1 }
                var e = 0
                while j < text.count { e = e * 10 + Int(text[j] - 48); j += 1 }
                exponent = sign * e
                break
            }
            if c == UInt8(ascii: ".") {
                pointAt = mantissa.count
            } else {
                mantissa.append(c)
            }
            i += 1
        }
        var point = (pointAt ?? mantissa.count) + exponent
        // Normalise: no leading zeros (each one moves the point left), no trailing zeros.
        var start = 0
        while start < mantissa.count - 1, mantissa[start] == UInt8(ascii: "0") {
            start += 1
            point -= 1
        }
        var end = mantissa.count
        while end > start + 1, mantissa[end - 1] == UInt8(ascii: "0") { end -= 1 }
        digits = Array(mantissa[start..<end])
        pointPosition = point
    }
}

/// Display form of a Float: positional, never an exponent, no fraction when integral.
public func formatFloatForDisplay(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    let dec = ShortestDecimal(d)
    var out: [UInt8] = []
    out.reserveCapacity(dec.digits.count + 4)
    if dec.negative { out.append(UInt8(ascii: "-")) }
    let n = dec.digits.count
    let k = dec.pointPosition
    if k <= 0 {
        out.append(UInt8(ascii: "0"))
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -k))
        out.append(contentsOf: dec.digits)
    } else if k >= n {
        out.append(contentsOf: dec.digits)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: k - n))
    } else {
        out.append(contentsOf: dec.digits[0..<k])
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: dec.digits[k...])
    }
    return String(decoding: out, as: UTF8.self)
}

/// JSON form of a finite Float (serde_json's layout); NaN and infinities are `null`.
public func formatFloatForJSON(_ d: Double) -> String {
    if d.isNaN || d.isInfinite { return "null" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    let dec = ShortestDecimal(d)
    var out: [UInt8] = []
    if dec.negative { out.append(UInt8(ascii: "-")) }
    let n = dec.digits.count
    let k = dec.pointPosition
    let zero = UInt8(ascii: "0")
    if n <= k && k <= 16 {
        out.append(contentsOf: dec.digits)
        out.append(contentsOf: repeatElement(zero, count: k - n))
        out.append(contentsOf: ".0".utf8)
    } else if 0 < k && k <= 16 {
        out.append(contentsOf: dec.digits[0..<k])
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: dec.digits[k...])
    } else if -5 < k && k <= 0 {
        out.append(contentsOf: "0.".utf8)
        out.append(contentsOf: repeatElement(zero, count: -k))
        out.append(contentsOf: dec.digits)
    } else {
        out.append(dec.digits[0])
        if n > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: dec.digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        out.append(contentsOf: String(k - 1).utf8)
    }
    return String(decoding: out, as: UTF8.self)
}
