import HTTPServer
import Testing

/// The byte-level fast paths for header names and media types must answer as the general ones do.
struct HeaderParsingTests {
    @Test func headerNamesMatchIgnoringCase() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Other": "b"]
        #expect(headers["content-type"] == "a")
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers["content-typ"] == nil)
        #expect(headers["content-type2"] == nil)
        headers["CONTENT-type"] = "c"
        #expect(headers.fields.count == 2)
        #expect(headers["Content-Type"] == "c")
        #expect(headers == ["x-other": "b", "content-TYPE": "c"])
    }

    @Test func nonASCIINamesStillMatchByUnicodeLowercasing() {
        // U+212A KELVIN SIGN lowercases to an ASCII "k".
        let headers: HTTPHeaders = ["\u{212A}ey": "kelvin", "Ünïcode": "u"]
        #expect(headers["key"] == "kelvin")
        #expect(headers["ÜNÏCODE"] == "u")
    }

    @Test(
        arguments: [
            ("application/json", "application/json"),
            ("Application/JSON; charset=utf-8", "application/json"),
            (" \tapplication/json \t;x=y", "application/json"),
            ("\u{00A0}text/plain\u{2003}", "text/plain"),
            ("application/jsón;q=1", "application/jsón"),
            ("; charset=utf-8", nil),
            ("   ", nil),
            ("", nil),
        ] as [(String, String?)])
    func mediaTypeIsTheLowercasedTypeWithoutParametersOrBlanks(contentType: String, expected: String?) {
        let request = HTTPRequest(method: .post, path: "/", headers: ["Content-Type": contentType])
        #expect(request.mediaType == expected)
    }

    @Test func aDeclaredLengthWithBlanksCountsAsABody() {
        #expect(HTTPRequest(method: .post, path: "/", headers: ["Content-Length": " 5\t"]).hasBody)
        #expect(!HTTPRequest(method: .post, path: "/", headers: ["Content-Length": " 0 "]).hasBody)
        #expect(!HTTPRequest(method: .get, path: "/").hasBody)
    }
}
