// The files `ntnt new` writes, per template. `{{APP}}` is replaced by the app's name. Each app
// runs without a database so `ntnt run app.tnt` works at once; docs/database.md shows the next
// step. The test of `ntnt new` serves both and requests every route they list.

enum AppTemplates {
    static func files(for template: New.Template, appName: String) -> [(path: String, contents: String)] {
        let files: [(String, String)]
        switch template {
        case .api: files = [("app.tnt", apiApp), ("README.md", readme(apiRoutes)), (".gitignore", gitignore)]
        case .site:
            files = [("app.tnt", siteApp), ("public/style.css", siteStyle), ("README.md", readme(siteRoutes)), (".gitignore", gitignore)]
        }
        return files.map { ($0.0, $0.1.replacingOccurrences(of: "{{APP}}", with: appName)) }
    }

    static let gitignore = """
        # ntnt build output and Swift's build folders
        out/
        .build/
        Package.resolved

        """

    static let apiRoutes = """
        curl localhost:8080/
        curl localhost:8080/hello/Ada
        curl -d '{"a": 2, "b": 40}' localhost:8080/sum
        curl localhost:8080/health
        """

    static let siteRoutes = """
        open http://localhost:8080/            (a page rendered from a template)
        open http://localhost:8080/?name=Ada   (query parameters, escaped into the page)
        curl localhost:8080/static/style.css   (a file of public/)
        """

    static func readme(_ routes: String) -> String {
        """
        # {{APP}}

        An app written in ntnt, a small language for web services.

        ```sh
        ntnt run app.tnt          # serve on http://localhost:8080/ (--port N or NTNT_PORT to change)
        ntnt run --watch app.tnt  # the same, reloading when a file changes
        ntnt check app.tnt        # find errors without running
        ntnt build app.tnt        # compile: the server binary is out/.build/release/app
        ntnt inspect app.tnt      # the routes and functions, as JSON
        ```

        Try it:

        ```sh
        \(routes)
        ```

        Next: connect a database (`import { connect, query } from "std/db/postgres"`; see the ntnt
        docs, docs/database.md), add routes (docs/http.md), look up a function with `ntnt docs NAME`.

        """
    }

    static let apiApp = #"""
        // {{APP}}: a JSON API. `ntnt run app.tnt`, then see README.md for requests to try.
        import { json, parse_json } from "std/http/server"
        import { get_env } from "std/env"

        fn index(req) {
            json(map {
                "app": "{{APP}}",
                "routes": ["GET /", "GET /hello/\{name}", "POST /sum", "GET /health"]
            })
        }

        fn hello(req) {
            let name = req.params["name"]
            json(map { "message": "Hello, {name}!" })
        }

        // Adds the numbers a and b of a JSON body: {"a": 2, "b": 40} → {"sum": 42}.
        fn sum(req) {
            let body = parse_json(req) otherwise { return json(map { "error": "the body must be JSON" }, 400) }
            if type(body) != "Map" || !is_number(body["a"]) || !is_number(body["b"]) {
                return json(map { "error": "a and b must be numbers" }, 422)
            }
            json(map { "sum": body["a"] + body["b"] })
        }

        fn is_number(x) {
            type(x) == "Int" || type(x) == "Float"
        }

        get("/", index)
        get("/hello/{name}", hello)
        post("/sum", sum)
        get("/health", fn(req) { json(map { "ok": true }) })

        listen(int(get_env("PORT") ?? "8080") ?? 8080)

        """#

    static let siteApp = #"""
        // {{APP}}: an HTML site. Pages are templates ("""…""" strings); files in public/ are
        // served under /static. `ntnt run app.tnt`, then open http://localhost:8080/.
        import { html, not_found } from "std/http/server"
        import { get_env } from "std/env"

        let site_name = "{{APP}}"

        // The page around every page's content. Text from a request is escaped where it is used.
        fn layout(title, content) {
            """<!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>{{title | escape}} · {{site_name}}</title><link rel="stylesheet" href="/static/style.css"></head>
        <body>
        <nav><a href="/">Home</a> | <a href="/about">About</a></nav>
        <main>
        {{content}}
        </main>
        </body>
        </html>
        """
        }

        fn home(req) {
            let name = req.query_params["name"] ?? "visitor"
            let features = ["routes", "templates", "static files"]
            html(layout("Home", """<h1>Hello, {{name | escape}}!</h1>
        <p>This page was rendered by ntnt. Try <a href="/?name=Ada">/?name=Ada</a>.</p>
        <ul>{{#for f in features}}<li>{{f}}</li>{{/for}}</ul>"""))
        }

        fn about(req) {
            html(layout("About", "<h1>About</h1><p>{{APP}} is written in ntnt.</p>"))
        }

        get("/", home)
        get("/about", about)
        serve_static("/static", "public")

        listen(int(get_env("PORT") ?? "8080") ?? 8080)

        """#

    static let siteStyle = """
        body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
        nav a { color: #0b5fff; }

        """
}
