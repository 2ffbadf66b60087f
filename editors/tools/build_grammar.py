#!/usr/bin/env python3
"""Builds the ntnt (.tnt) TextMate grammar.

The grammar is written here as Python data (raw strings keep the regexes readable) and
written out as:

  editors/vscode/syntaxes/tnt.tmLanguage.json   (VS Code, JetBrains, Shiki, ...)
  editors/sublime/ntnt.tmLanguage               (the same grammar as an XML property list,
                                                 the form Sublime Text and TextMate read)

Run `python3 editors/tools/build_grammar.py` after editing; editors/test_grammar.py fails
when the checked-in files are out of date.

Regexes stay inside the subset that Oniguruma (what editors use) and Python's `re` (what the
test uses) read the same way: no possessive quantifiers, atomic groups, \\h, \\G, named
groups or POSIX classes, and identifiers are spelled [A-Za-z0-9_] like the lexer.
"""

import json
import os
import plistlib
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EDITORS = os.path.dirname(HERE)
JSON_PATH = os.path.join(EDITORS, "vscode", "syntaxes", "tnt.tmLanguage.json")
PLIST_PATH = os.path.join(EDITORS, "sublime", "ntnt.tmLanguage")
PREFS_PATH = os.path.join(EDITORS, "sublime", "ntnt-comments.tmPreferences")

# --- word lists, from Sources/NtntSyntax (Token.swift, Parser+Templates.swift) and LANGUAGE.md §9

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"

KEYWORDS = [
    "let", "mut", "fn", "return", "if", "else", "while", "loop", "for", "in", "break",
    "continue", "match", "true", "false", "map", "import", "from", "as", "export", "pub",
    "requires", "ensures", "otherwise",
]
RESERVED = [
    "struct", "enum", "impl", "trait", "defer", "mod", "use", "where", "async", "await", "try",
    "catch", "with", "pure", "effect", "intent", "invariant", "contract",
]
FILTERS = [
    "upper", "uppercase", "lower", "lowercase", "capitalize", "trim", "truncate", "replace",
    "default", "length", "first", "last", "reverse", "join", "slice", "json", "number",
    "url_encode", "escape", "raw", "safe",
]
BUILTINS = [
    "print", "str", "len", "int", "float", "type", "typeof", "push", "assert", "abs", "min",
    "max", "round", "floor", "ceil", "trunc", "sqrt", "pow", "sign", "clamp", "is_some",
    "is_none", "is_ok", "is_err", "unwrap", "unwrap_or", "filter", "transform", "reduce",
    "find", "any", "all", "sort", "sort_desc",
]
ROUTE_FUNCTIONS = ["get", "post", "put", "patch", "delete"]
SERVER_FUNCTIONS = ["listen", "serve_static", "use_middleware"]
LOOP_NAMES = ["index1", "index", "first", "last", "length", "even", "odd"]


def words(ws):
    """An alternation of whole words, longest first so that prefixes never win."""
    return "(?:" + "|".join(sorted(ws, key=lambda w: (-len(w), w))) + ")"


NOT_WORD = r"(?!" + words(KEYWORDS + RESERVED) + r"\b)"
NOT_RESERVED = r"(?!" + words(RESERVED) + r"\b)"
NUM_DIGITS = r"[0-9](?:_?[0-9])*"  # `_` only between digits, as the lexer reads it
TEMPLATE_END = r'(?=""")'          # the lexer ends a template at the first `"""`, tag or not


def inc(name):
    return {"include": "#" + name}


SELF = {"include": "$self"}


def cap(**groups):
    return {str(k[1:]): {"name": v} for k, v in groups.items()}


def string_rule(quote, kind):
    return {
        "name": "string.quoted.%s.tnt" % kind,
        "begin": quote,
        "beginCaptures": cap(_0="punctuation.definition.string.begin.tnt"),
        "end": quote,
        "endCaptures": cap(_0="punctuation.definition.string.end.tnt"),
        "patterns": [inc("string-escapes"), inc("string-interpolation")],
    }


def route_call_rule(quote, kind):
    """`get("/users/{id}", h)`: a bare `{name}` in the pattern literal is a route parameter."""
    scope = "string.quoted.%s.tnt" % kind
    return {
        "begin": r"(?<!\.)\b(" + words(ROUTE_FUNCTIONS) + r")\s*(\()\s*(" + quote + ")",
        "beginCaptures": cap(
            _1="support.function.route.tnt",
            _2="punctuation.brace.round.tnt",
            _3=scope + " punctuation.definition.string.begin.tnt",
        ),
        "contentName": scope + " meta.route.pattern.tnt",
        "end": quote,
        "endCaptures": cap(_0=scope + " punctuation.definition.string.end.tnt"),
        "patterns": [inc("route-parameter"), inc("string-escapes"), inc("string-interpolation")],
    }


def tag_rule(begin, captures, name):
    return {
        "name": name,
        "begin": begin,
        "beginCaptures": captures,
        "end": r"(\}\})|" + TEMPLATE_END,
        "endCaptures": cap(_1="punctuation.section.template-tag.end.tnt"),
        "contentName": "meta.embedded.line.tnt",
        "patterns": [inc("template-expression")],
    }


def contract_rule(word, extra):
    return {
        "name": "meta.contract.%s.tnt" % word,
        "begin": r"\b(" + word + r")\b",
        "beginCaptures": cap(_1="keyword.other.contract.%s.tnt" % word),
        # A clause ends at the function body's `{` or at the next clause.
        "end": r"(?=\{)|(?=\b(?:requires|ensures)\b)",
        "patterns": extra + [inc("comments"), {
            "begin": r"\(",
            "beginCaptures": cap(_0="punctuation.brace.round.tnt"),
            "end": r"\)",
            "endCaptures": cap(_0="punctuation.brace.round.tnt"),
            "patterns": extra + [inc("nested-groups"), SELF],
        }, SELF],
    }


REPOSITORY = {
    # ---------------------------------------------------------------- comments
    "comments": {"patterns": [
        {
            "name": "comment.block.tnt",
            "begin": r"/\*",
            "beginCaptures": cap(_0="punctuation.definition.comment.begin.tnt"),
            "end": r"\*/",
            "endCaptures": cap(_0="punctuation.definition.comment.end.tnt"),
        },
        {
            "name": "comment.line.double-slash.tnt",
            "match": r"(//).*$",
            "captures": cap(_1="punctuation.definition.comment.tnt"),
        },
    ]},

    # ---------------------------------------------------------------- strings
    "strings": {"patterns": [
        inc("template-string"), inc("raw-string"), inc("double-string"), inc("single-string"),
    ]},
    "double-string": string_rule('"', "double"),
    "single-string": string_rule("'", "single"),
    "raw-string": {
        "name": "string.quoted.raw.tnt",
        "begin": r'\b(r)(#*)(")',
        "beginCaptures": cap(
            _1="storage.type.string.raw.tnt",
            _2="punctuation.definition.string.begin.tnt",
            _3="punctuation.definition.string.begin.tnt",
        ),
        "end": r'(")(\2)',
        "endCaptures": cap(_1="punctuation.definition.string.end.tnt",
                           _2="punctuation.definition.string.end.tnt"),
    },
    "string-escapes": {
        # \n \t \r \\ \" \' \{ \} — and a backslash before anything else yields that character.
        "name": "constant.character.escape.tnt",
        "match": r"\\(?:.|$)",
    },
    "string-interpolation": {"patterns": [
        {"name": "invalid.illegal.empty-interpolation.tnt", "match": r"\{\s*\}"},
        {
            "name": "meta.interpolation.tnt",
            "begin": r"\{",
            "beginCaptures": cap(_0="punctuation.section.interpolation.begin.tnt"),
            "end": r"\}",
            "endCaptures": cap(_0="punctuation.section.interpolation.end.tnt"),
            "contentName": "meta.embedded.line.tnt",
            "patterns": [SELF],
        },
    ]},
    "route-parameter": {
        "name": "meta.route.parameter.tnt",
        "match": r"(\{)\s*" + NOT_WORD + "(" + IDENT + r")\s*(\})",
        "captures": cap(
            _1="punctuation.definition.route-parameter.begin.tnt",
            _2="variable.parameter.route.tnt",
            _3="punctuation.definition.route-parameter.end.tnt",
        ),
    },

    # ---------------------------------------------------------------- templates """…"""
    "template-string": {
        "name": "string.quoted.triple.template.tnt",
        "begin": r'"""',
        "beginCaptures": cap(_0="punctuation.definition.string.begin.tnt"),
        "end": r'"""',
        "endCaptures": cap(_0="punctuation.definition.string.end.tnt"),
        "patterns": [
            inc("template-escapes"),
            inc("template-comment"),
            inc("template-output-raw"),
            inc("template-for"),
            inc("template-if"),
            inc("template-block-word"),
            inc("template-unknown-block"),
            inc("template-output"),
        ],
    },
    "template-escapes": {
        "name": "constant.character.escape.tnt",
        "match": r"\\(?:\{\{|\}\}|\{|\})",
    },
    "template-comment": {
        "name": "comment.block.template.tnt",
        "begin": r"\{\{!",
        "beginCaptures": cap(_0="punctuation.definition.comment.begin.tnt"),
        "end": r"(\}\})|" + TEMPLATE_END,
        "endCaptures": cap(_1="punctuation.definition.comment.end.tnt"),
    },
    "template-for": tag_rule(
        r"(\{\{)\s*(#for)\b(?:\s+(" + IDENT + r")(?:\s+(in)\b)?)?",
        cap(_1="punctuation.section.template-tag.begin.tnt",
            _2="keyword.control.template.tnt",
            _3="variable.other.loop.tnt",
            _4="keyword.control.loop.tnt"),
        "meta.template.tag.block.tnt",
    ),
    "template-if": tag_rule(
        r"(\{\{)\s*(#(?:if|elif))\b",
        cap(_1="punctuation.section.template-tag.begin.tnt", _2="keyword.control.template.tnt"),
        "meta.template.tag.block.tnt",
    ),
    "template-block-word": {
        "name": "meta.template.tag.block.tnt",
        "match": r"(\{\{)\s*(#else|#empty|/for|/if)\s*(\}\})",
        "captures": cap(
            _1="punctuation.section.template-tag.begin.tnt",
            _2="keyword.control.template.tnt",
            _3="punctuation.section.template-tag.end.tnt",
        ),
    },
    "template-unknown-block": tag_rule(
        r"(\{\{)\s*([#/][^\s}]*)",
        cap(_1="punctuation.section.template-tag.begin.tnt", _2="invalid.illegal.template-tag.tnt"),
        "meta.template.tag.block.tnt",
    ),
    "template-output-raw": {
        "name": "meta.template.tag.output.tnt",
        "begin": r"\{\{\{",
        "beginCaptures": cap(_0="punctuation.section.template-tag.begin.tnt"),
        "end": r"(\}\}\})|" + TEMPLATE_END,
        "endCaptures": cap(_1="punctuation.section.template-tag.end.tnt"),
        "contentName": "meta.embedded.line.tnt",
        "patterns": [inc("template-expression")],
    },
    "template-output": tag_rule(
        r"\{\{",
        cap(_0="punctuation.section.template-tag.begin.tnt"),
        "meta.template.tag.output.tnt",
    ),
    "template-expression": {"patterns": [
        {
            # `| name` or `| name(args)`; `||` and `|>` are operators, not filters.
            "match": r"(\|)(?![|>])\s*(?:(" + words(FILTERS) + r")\b|(" + IDENT + "))?",
            "captures": cap(
                _1="keyword.operator.filter.tnt",
                _2="support.function.filter.tnt",
                _3="invalid.illegal.unknown-filter.tnt",
            ),
        },
        {"name": "variable.language.loop.tnt", "match": r"@" + words(LOOP_NAMES) + r"\b"},
        {"name": "variable.other.readwrite.tnt", "match": r"@" + IDENT},
        SELF,
    ]},

    # ---------------------------------------------------------------- declarations
    "declarations": {"patterns": [
        {
            "name": "meta.function.declaration.tnt",
            "begin": r"\b(fn)\s+" + NOT_RESERVED + "(" + IDENT + r")\s*(\()",
            "beginCaptures": cap(
                _1="keyword.declaration.function.tnt",
                _2="entity.name.function.tnt",
                _3="punctuation.definition.parameters.begin.tnt",
            ),
            "end": r"\)",
            "endCaptures": cap(_0="punctuation.definition.parameters.end.tnt"),
            "patterns": [inc("parameters")],
        },
        {
            "name": "meta.function.closure.tnt",
            "begin": r"\b(fn)\s*(\()",
            "beginCaptures": cap(
                _1="keyword.declaration.function.tnt",
                _2="punctuation.definition.parameters.begin.tnt",
            ),
            "end": r"\)",
            "endCaptures": cap(_0="punctuation.definition.parameters.end.tnt"),
            "patterns": [inc("parameters")],
        },
        {
            # `fn name` with the parameter list on a later line.
            "match": r"\b(fn)\s+" + NOT_RESERVED + "(" + IDENT + ")",
            "captures": cap(_1="keyword.declaration.function.tnt", _2="entity.name.function.tnt"),
        },
        {
            # `let x: Type = …` — the annotation is parsed and ignored by ntnt.
            "begin": r"\b(let)\s+(?:(mut)\s+)?" + NOT_WORD + "(" + IDENT + r")\s*(:)",
            "beginCaptures": cap(
                _1="keyword.declaration.variable.tnt",
                _2="storage.modifier.mut.tnt",
                _3="variable.other.declaration.tnt",
                _4="punctuation.separator.type.tnt",
            ),
            "end": r"(?==)|$",
            "contentName": "meta.type.annotation.tnt",
            "patterns": [inc("type-body")],
        },
        {
            "match": r"\b(let)\s+(?:(mut)\s+)?" + NOT_WORD + "(" + IDENT + ")",
            "captures": cap(
                _1="keyword.declaration.variable.tnt",
                _2="storage.modifier.mut.tnt",
                _3="variable.other.declaration.tnt",
            ),
        },
        {
            "match": r"\b(for)\s+" + NOT_WORD + "(" + IDENT + r")\s+(in)\b",
            "captures": cap(
                _1="keyword.control.loop.tnt",
                _2="variable.other.loop.tnt",
                _3="keyword.control.loop.tnt",
            ),
        },
    ]},
    "parameters": {"patterns": [
        inc("comments"),
        {
            "name": "meta.type.annotation.tnt",
            "begin": r":",
            "beginCaptures": cap(_0="punctuation.separator.type.tnt"),
            "end": r"(?=[,)=])",
            "patterns": [inc("type-body")],
        },
        {
            "name": "meta.parameter.default.tnt",
            "begin": r"=",
            "beginCaptures": cap(_0="keyword.operator.assignment.tnt"),
            "end": r"(?=[,)])",
            "patterns": [inc("comments"), inc("nested-groups"), SELF],
        },
        {"name": "punctuation.separator.parameter.tnt", "match": ","},
        {"name": "invalid.illegal.reserved.tnt", "match": r"\b" + words(RESERVED + KEYWORDS) + r"\b"},
        {"name": "variable.parameter.tnt", "match": IDENT},
    ]},
    "nested-groups": {"patterns": [
        {
            "begin": r"\(",
            "beginCaptures": cap(_0="punctuation.brace.round.tnt"),
            "end": r"\)",
            "endCaptures": cap(_0="punctuation.brace.round.tnt"),
            "patterns": [inc("nested-groups"), SELF],
        },
        {
            "begin": r"\[",
            "beginCaptures": cap(_0="punctuation.brace.square.tnt"),
            "end": r"\]",
            "endCaptures": cap(_0="punctuation.brace.square.tnt"),
            "patterns": [inc("nested-groups"), SELF],
        },
    ]},
    "type-body": {"patterns": [
        inc("comments"),
        {"name": "keyword.declaration.function.tnt", "match": r"\bfn\b"},
        {
            "begin": r"\(",
            "beginCaptures": cap(_0="punctuation.brace.round.tnt"),
            "end": r"\)",
            "endCaptures": cap(_0="punctuation.brace.round.tnt"),
            "patterns": [inc("type-body")],
        },
        {
            "begin": r"\[",
            "beginCaptures": cap(_0="punctuation.brace.square.tnt"),
            "end": r"\]",
            "endCaptures": cap(_0="punctuation.brace.square.tnt"),
            "patterns": [inc("type-body")],
        },
        {
            "begin": r"<",
            "beginCaptures": cap(_0="punctuation.definition.typeparameters.begin.tnt"),
            "end": r">",
            "endCaptures": cap(_0="punctuation.definition.typeparameters.end.tnt"),
            "patterns": [inc("type-body")],
        },
        {"name": "keyword.operator.arrow.return.tnt", "match": r"->"},
        {"name": "keyword.operator.optional.tnt", "match": r"\?"},
        {"name": "punctuation.separator.comma.tnt", "match": ","},
        {"name": "entity.name.type.tnt", "match": IDENT},
    ]},
    "return-type": {
        "name": "meta.type.return.tnt",
        "begin": r"->",
        "beginCaptures": cap(_0="keyword.operator.arrow.return.tnt"),
        "end": r"(?=[{,)]|\b(?:requires|ensures)\b)|$",
        "patterns": [inc("type-body")],
    },

    # ---------------------------------------------------------------- contracts
    "contracts": {"patterns": [
        contract_rule("requires", []),
        contract_rule("ensures", [inc("ensures-names")]),
    ]},
    "ensures-names": {"patterns": [
        {"name": "variable.language.result.tnt", "match": r"\bresult\b"},
        {"name": "support.function.old.tnt", "match": r"\bold\b(?=\s*\()"},
    ]},

    # ---------------------------------------------------------------- match
    "match-expression": {
        "name": "meta.match.tnt",
        "begin": r"\b(match)\b",
        "beginCaptures": cap(_1="keyword.control.match.tnt"),
        "end": r"(?<=\})",
        "patterns": [
            inc("comments"),
            {
                "name": "meta.match.arms.tnt",
                "begin": r"\{",
                "beginCaptures": cap(_0="punctuation.section.block.begin.tnt"),
                "end": r"\}",
                "endCaptures": cap(_0="punctuation.section.block.end.tnt"),
                "patterns": [SELF],
            },
            SELF,
        ],
    },

    # ---------------------------------------------------------------- words and literals
    "keywords": {"patterns": [
        {"name": "invalid.illegal.reserved.tnt", "match": r"\b" + words(RESERVED) + r"\b"},
        {"name": "keyword.control.conditional.tnt", "match": r"\b(?:if|else)\b"},
        {"name": "keyword.control.loop.tnt", "match": r"\b(?:while|loop|for|in)\b"},
        {"name": "keyword.control.flow.tnt", "match": r"\b(?:break|continue|return)\b"},
        {"name": "keyword.control.match.tnt", "match": r"\bmatch\b"},
        {"name": "keyword.control.otherwise.tnt", "match": r"\botherwise\b"},
        {"name": "keyword.control.import.tnt", "match": r"\b(?:import|from|as)\b"},
        {"name": "storage.modifier.export.tnt", "match": r"\b(?:export|pub)\b"},
        {"name": "keyword.other.contract.tnt", "match": r"\b(?:requires|ensures)\b"},
        {"name": "keyword.declaration.function.tnt", "match": r"\bfn\b"},
        {"name": "keyword.declaration.variable.tnt", "match": r"\blet\b"},
        {"name": "storage.modifier.mut.tnt", "match": r"\bmut\b"},
        {"name": "keyword.other.map.tnt", "match": r"\bmap\b"},
    ]},
    "map-literal": {
        "name": "meta.map.tnt",
        "begin": r"\b(map)\s*(\{)",
        "beginCaptures": cap(_1="keyword.other.map.tnt", _2="punctuation.section.braces.begin.tnt"),
        "end": r"\}",
        "endCaptures": cap(_0="punctuation.section.braces.end.tnt"),
        "patterns": [SELF],
    },
    "constants": {"patterns": [
        {"name": "constant.language.boolean.true.tnt", "match": r"\btrue\b"},
        {"name": "constant.language.boolean.false.tnt", "match": r"\bfalse\b"},
        {"name": "constant.language.none.tnt", "match": r"\bNone\b"},
        {"name": "entity.name.type.variant.tnt", "match": r"\b(?:Some|Ok|Err)\b"},
        {"name": "variable.language.wildcard.tnt", "match": r"\b_\b"},
    ]},
    "numbers": {"patterns": [
        {"name": "constant.numeric.integer.hexadecimal.tnt", "match": r"\b0x[0-9A-Fa-f_]+"},
        {"name": "constant.numeric.integer.binary.tnt", "match": r"\b0b[01_]+"},
        {
            # A digit must follow `.`, so `1..5` is a range and `2.` is not a float.
            "name": "constant.numeric.float.tnt",
            "match": r"\b" + NUM_DIGITS + r"(?:\." + NUM_DIGITS + r"(?:[eE][+-]?" + NUM_DIGITS
                     + r")?|[eE][+-]?" + NUM_DIGITS + ")",
        },
        {"name": "constant.numeric.integer.decimal.tnt", "match": r"\b" + NUM_DIGITS},
    ]},

    # ---------------------------------------------------------------- calls and access
    "calls": {"patterns": [
        route_call_rule('"', "double"),
        route_call_rule("'", "single"),
        {
            "name": "support.function.route.tnt",
            "match": r"(?<!\.)\b" + words(ROUTE_FUNCTIONS) + r"\b(?=\s*\()",
        },
        {"name": "support.function.server.tnt", "match": r"\b" + words(SERVER_FUNCTIONS) + r"\b(?=\s*\()"},
        {"name": "support.function.builtin.tnt", "match": r"\b" + words(BUILTINS) + r"\b(?=\s*\()"},
        {
            # `x |> f`, `x |> f(a)`, `x |> m.f(a)`
            "match": r"(\|>)\s*(?:(" + IDENT + r")\s*(\.)\s*)?" + NOT_WORD + "(" + IDENT + ")",
            "captures": cap(
                _1="keyword.operator.pipe.tnt",
                _2="variable.other.readwrite.tnt",
                _3="punctuation.accessor.tnt",
                _4="entity.name.function.call.tnt",
            ),
        },
        {"name": "entity.name.function.call.tnt", "match": r"\b" + IDENT + r"(?=\s*\()"},
    ]},
    "member-access": {"patterns": [
        {
            "match": r"(\.)(?!\.)\s*(" + IDENT + r")(?=\s*\()",
            "captures": cap(_1="punctuation.accessor.tnt", _2="entity.name.function.member.tnt"),
        },
        {
            "match": r"(\.)(?!\.)\s*(" + IDENT + ")",
            "captures": cap(_1="punctuation.accessor.tnt", _2="variable.other.property.tnt"),
        },
    ]},

    # ---------------------------------------------------------------- operators, punctuation
    "operators": {"patterns": [
        {"name": "keyword.operator.pipe.tnt", "match": r"\|>"},
        {"name": "keyword.operator.coalesce.tnt", "match": r"\?\?"},
        {"name": "keyword.operator.range.tnt", "match": r"\.\.=?"},
        {"name": "keyword.operator.arrow.match.tnt", "match": r"=>"},
        {"name": "keyword.operator.arrow.return.tnt", "match": r"->"},
        {"name": "keyword.operator.comparison.tnt", "match": r"==|!=|<=|>="},
        {"name": "keyword.operator.assignment.compound.tnt", "match": r"[-+*/%]="},
        {"name": "keyword.operator.logical.tnt", "match": r"&&|\|\||!"},
        {"name": "keyword.operator.comparison.tnt", "match": r"[<>]"},
        {"name": "keyword.operator.assignment.tnt", "match": r"="},
        {"name": "keyword.operator.arithmetic.tnt", "match": r"[-+*/%]"},
        {"name": "keyword.operator.try.tnt", "match": r"\?"},
    ]},
    "blocks": {
        "name": "meta.block.tnt",
        "begin": r"\{",
        "beginCaptures": cap(_0="punctuation.section.block.begin.tnt"),
        "end": r"\}",
        "endCaptures": cap(_0="punctuation.section.block.end.tnt"),
        "patterns": [SELF],
    },
    "punctuation": {"patterns": [
        {"name": "punctuation.separator.comma.tnt", "match": ","},
        {"name": "punctuation.terminator.statement.tnt", "match": ";"},
        {"name": "punctuation.separator.key-value.tnt", "match": ":"},
        {"name": "punctuation.brace.round.tnt", "match": r"[()]"},
        {"name": "punctuation.brace.square.tnt", "match": r"[\[\]]"},
        {"name": "punctuation.section.block.end.tnt", "match": r"\}"},
        {"name": "punctuation.accessor.tnt", "match": r"\."},
    ]},
    "identifiers": {"name": "variable.other.readwrite.tnt", "match": r"\b" + IDENT},
}

GRAMMAR = {
    "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    "name": "ntnt",
    "scopeName": "source.tnt",
    "fileTypes": ["tnt"],
    "comment": "ntnt (.tnt) — generated by editors/tools/build_grammar.py; edit that file, not this one.",
    # Order matters where two rules can start at the same column: the first listed wins.
    "patterns": [
        inc("comments"),
        inc("strings"),
        inc("declarations"),
        inc("contracts"),
        inc("match-expression"),
        inc("map-literal"),
        inc("return-type"),
        inc("keywords"),
        inc("constants"),
        inc("numbers"),
        inc("calls"),
        inc("member-access"),
        inc("operators"),
        inc("blocks"),
        inc("punctuation"),
        inc("identifiers"),
    ],
    "repository": REPOSITORY,
}

COMMENT_PREFERENCES = {
    "name": "ntnt comments",
    "scope": "source.tnt",
    "settings": {"shellVariables": [
        {"name": "TM_COMMENT_START", "value": "// "},
        {"name": "TM_COMMENT_START_2", "value": "/*"},
        {"name": "TM_COMMENT_END_2", "value": "*/"},
    ]},
}


def grammar_json_text():
    return json.dumps(GRAMMAR, indent=2, ensure_ascii=False) + "\n"


def plist_bytes(obj):
    data = {k: v for k, v in obj.items() if k != "$schema"}
    return plistlib.dumps(data, sort_keys=True)


def outputs():
    return {
        JSON_PATH: grammar_json_text().encode("utf-8"),
        PLIST_PATH: plist_bytes(GRAMMAR),
        PREFS_PATH: plist_bytes(COMMENT_PREFERENCES),
    }


def main():
    for path, data in outputs().items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        print("wrote", os.path.relpath(path, os.path.dirname(EDITORS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
