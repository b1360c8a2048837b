package xref

import (
	"path"
	"regexp"
	"strings"
)

// blockStyle is how a language ends a definition's body.
type blockStyle int

const (
	braces  blockStyle = iota // { … }
	indent                    // lines indented deeper than the definition
	rubyEnd                   // an "end" at the definition's indentation
)

// language is what the word search knows of one language. The patterns
// are heuristics, not parsers: a definition is a line that one of defs
// matches with the name in its first group; a field is one that fields
// matches. Languages of one family (TypeScript and JavaScript, Java and
// Kotlin) are searched together.
type language struct {
	name, family string
	exts         []string
	quotes       string   // characters that open a string literal on one line
	comments     []string // prefixes of a comment line, and of a trailing comment
	decorators   []string // prefixes of lines that belong to the definition below
	block        blockStyle
	keywords     map[string]bool
	defs         []*regexp.Regexp
	fields       []*regexp.Regexp
	imports      []*regexp.Regexp // the module a line imports, in group 1 (and names in 2)
}

func re(exprs ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(exprs))
	for i, e := range exprs {
		out[i] = regexp.MustCompile(e)
	}
	return out
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Modifier lists shared by the patterns below.
const (
	jsMods   = `(?:(?:export|default|declare|abstract|public|private|protected|static|readonly|async|override|get|set|accessor)\s+)*`
	javaMods = `(?:(?:public|protected|private|static|final|abstract|synchronized|native|default|strictfp|sealed|non-sealed|transient|volatile)\s+)*`
	ktMods   = `(?:(?:public|private|protected|internal|open|override|abstract|final|suspend|inline|operator|infix|tailrec|external|data|sealed|enum|annotation|inner|value|lateinit|const)\s+)*`
	csMods   = `(?:(?:public|private|protected|internal|static|virtual|override|abstract|async|sealed|extern|unsafe|new|partial|readonly|required|const|file|ref)\s+)*`
	phpMods  = `(?:(?:public|private|protected|static|abstract|final|readonly|var)\s+)*`
	rustVis  = `(?:pub(?:\([^)]*\))?\s+)?`
)

// notTypes are words that start a statement, never a declaration's type
// (Java, C#: "return foo(x);" is not a method named foo).
var notTypes = words("return new throw else case await yield package import using goto assert")

var languages = []*language{
	{
		name: "go", family: "go", exts: []string{".go"}, quotes: "\"'`", comments: []string{"//"}, block: braces,
		keywords: words("break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var " +
			"nil true false iota append cap clear close complex copy delete imag len make max min new panic print println real recover " +
			"bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any err ctx"),
		defs:    re(`^func\s+(?:\([^)]*\)\s*)?(\w+)`, `^\s*type\s+(\w+)`, `^(?:const|var)\s+(\w+)`, `^\t(\w+)\s*(?:[\w.*\[\]]+\s*)?=`),
		fields:  re(`^\s+(\w+)\s+[\w.*\[\]{}]+(?:\s+` + "`[^`]*`" + `)?\s*(?://.*)?$`),
		imports: re(`^\s*(?:import\s+)?(?:\w+\s+)?"([\w./-]+)"\s*$`),
	},
	{
		name: "typescript", family: "js", exts: []string{".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"},
		quotes: "\"'`", comments: []string{"//", "/*", "*"}, decorators: []string{"@"}, block: braces,
		keywords: words("abstract any as async await boolean break case catch class const constructor continue debugger declare default delete do else enum export extends false finally for from function get if implements import in instanceof interface keyof let module namespace never new null number object of package private protected public readonly return set static string super switch symbol this throw true try type typeof undefined unknown var void while with yield " +
			"console log Promise Array Object String Number Boolean Map Set Date Error JSON Math require exports window document"),
		defs: re(
			`^\s*`+jsMods+`function\s*\*?\s*(\w+)`,
			`^\s*`+jsMods+`class\s+(\w+)`,
			`^\s*`+jsMods+`interface\s+(\w+)`,
			`^\s*`+jsMods+`type\s+(\w+)\s*(?:<[^>]*>)?\s*=`,
			`^\s*`+jsMods+`(?:const\s+)?enum\s+(\w+)`,
			`^(?:export\s+)?(?:const|let|var)\s+(\w+)\s*(?::[^=]+)?=`,
			`^\s+`+jsMods+`(\w+)\s*(?:<[^>]*>)?\s*\(.*\)\s*(?::\s*[^={;]+)?\s*\{\s*$`,
			`^\s+`+jsMods+`(\w+)\s*=\s*(?:async\s+)?(?:\([^)]*\)|\w+)\s*(?::\s*[^=]+)?=>`,
		),
		fields:  re(`^\s+` + jsMods + `(\w+)[?!]?\s*:\s*[^=;,\s][^=;]*[;,]?\s*(?://.*)?$`),
		imports: re(`\bfrom\s+['"]([^'"]+)['"]`, `\brequire\(\s*['"]([^'"]+)['"]\s*\)`, `\bimport\(\s*['"]([^'"]+)['"]\s*\)`),
	},
	{
		name: "python", family: "python", exts: []string{".py", ".pyi"}, quotes: "\"'", comments: []string{"#"}, decorators: []string{"@"}, block: indent,
		keywords: words("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield " +
			"self cls print len range str int float bool list dict set tuple type object super isinstance enumerate zip map filter sorted open Exception ValueError"),
		defs:    re(`^\s*(?:async\s+)?def\s+(\w+)`, `^\s*class\s+(\w+)`, `^(\w+)\s*(?::[^=]+)?=[^=]`),
		fields:  re(`^\s+self\.(\w+)\s*(?::[^=]+)?=[^=]`, `^\s+(\w+)\s*:\s*[\w\[\]., |"']+(?:=.*)?$`),
		imports: re(`^\s*from\s+(\.*[\w.]*)\s+import\s+(.+)`, `^\s*import\s+([\w.]+)`),
	},
	{
		name: "java", family: "jvm", exts: []string{".java", ".kt", ".kts"}, quotes: "\"'", comments: []string{"//", "/*", "*"}, decorators: []string{"@"}, block: braces,
		keywords: words("abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while var val fun object when is in null true false " +
			"String Integer Long Object List Map Set System out println Override"),
		defs: re(
			`^\s*`+javaMods+ktMods+`(?:class|interface|enum|record|object|@interface)\s+(\w+)`,
			`^\s*`+javaMods+`(?:<[^>]+>\s+)?([\w.<>\[\]?, ]+?)\s+(\w+)\s*\([^;]*$`,
			`^\s*`+ktMods+`fun\s+(?:<[^>]+>\s*)?(?:[\w.]+\.)?(\w+)\s*\(`,
			`^\s*`+ktMods+`(?:val|var)\s+(\w+)`,
		),
		fields:  re(`^\s+(?:(?:public|protected|private|static|final|transient|volatile)\s+)+[\w.<>\[\]?, ]+\s+(\w+)\s*(?:=[^;]*)?;`),
		imports: re(`^\s*import\s+(?:static\s+)?([\w.]+)`),
	},
	{
		name: "csharp", family: "csharp", exts: []string{".cs"}, quotes: "\"'", comments: []string{"//", "/*", "*"}, decorators: []string{"["}, block: braces,
		keywords: words("abstract as base bool break byte case catch char checked class const continue decimal default delegate do double else enum event explicit extern false finally fixed float for foreach goto if implicit in int interface internal is lock long namespace new null object operator out override params private protected public readonly ref return sbyte sealed short sizeof stackalloc static string struct switch this throw true try typeof uint ulong unchecked unsafe ushort using virtual void volatile while var async await get set value record init " +
			"Console WriteLine Task String List Dictionary"),
		defs: re(
			`^\s*`+csMods+`(?:class|interface|struct|enum|record(?:\s+(?:class|struct))?)\s+(\w+)`,
			`^\s*`+csMods+`([\w.<>\[\]?, ()]+?)\s+(\w+)\s*(?:<[^>]+>)?\s*\([^;]*$`,
		),
		fields:  re(`^\s+(?:(?:public|private|protected|internal|static|readonly|virtual|override|required|new|const)\s+)+[\w.<>\[\]?, ]+\s+(\w+)\s*(?:\{|=|;)`),
		imports: nil, // namespaces are not paths
	},
	{
		name: "ruby", family: "ruby", exts: []string{".rb", ".rake"}, quotes: "\"'", comments: []string{"#"}, block: rubyEnd,
		keywords: words("BEGIN END alias and begin break case class def defined do else elsif end ensure false for if in module next nil not or redo rescue retry return self super then true undef unless until when while yield " +
			"puts require require_relative attr_reader attr_writer attr_accessor private protected public include extend new raise"),
		defs:    re(`^\s*def\s+(?:self\.)?(\w+)`, `^\s*(?:class|module)\s+(?:[\w:]+::)?(\w+)`, `^\s*([A-Z]\w*)\s*=[^=]`),
		fields:  re(`^\s*attr_(?:reader|writer|accessor)\s+.*?:(\w+)`, `^\s+@(\w+)\s*=[^=]`),
		imports: re(`^\s*require_relative\s+['"]([^'"]+)['"]`, `^\s*require\s+['"]([^'"]+)['"]`),
	},
	{
		name: "php", family: "php", exts: []string{".php"}, quotes: "\"'", comments: []string{"//", "#", "/*", "*"}, decorators: []string{"#["}, block: braces,
		keywords: words("abstract and array as break callable case catch class clone const continue declare default do echo else elseif empty enddeclare endfor endforeach endif endswitch endwhile enum extends final finally fn for foreach function global goto if implements include include_once instanceof insteadof interface isset list match namespace new null or print private protected public readonly require require_once return static switch throw trait try unset use var while xor yield this self parent true false"),
		defs: re(
			`^\s*`+phpMods+`function\s+&?(\w+)`,
			`^\s*`+phpMods+`(?:class|interface|trait|enum)\s+(\w+)`,
			`^\s*(?:const\s+(\w+)\s*=|define\(\s*['"](\w+)['"])`,
		),
		fields:  re(`^\s+(?:(?:public|private|protected|static|readonly|var|const)\s+)+(?:\??[\w\\|]+\s+)?\$?(\w+)\s*(?:=|;)`),
		imports: re(`^\s*use\s+([\w\\]+)`, `\b(?:require|include)(?:_once)?\s*\(?\s*['"]([^'"]+)['"]`),
	},
	{
		name: "rust", family: "rust", exts: []string{".rs"}, quotes: `"`, comments: []string{"//"}, decorators: []string{"#["}, block: braces,
		keywords: words("as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while " +
			"Some None Ok Err Box Vec String Option Result println format vec unwrap clone into iter"),
		defs: re(
			`^\s*`+rustVis+`(?:(?:async|const|unsafe|extern\s+"[^"]*")\s+)*fn\s+(\w+)`,
			`^\s*`+rustVis+`(?:struct|enum|trait|type|union|mod)\s+(\w+)`,
			`^\s*`+rustVis+`(?:const|static)\s+(?:mut\s+)?(\w+)\s*:`,
			`^\s*macro_rules!\s*(\w+)`,
		),
		fields:  re(`^\s+` + rustVis + `(\w+)\s*:\s*[^:=\s][^=]*,\s*(?://.*)?$`),
		imports: re(`^\s*(?:pub\s+)?use\s+(?:crate|super|self)::([\w:]+)`),
	},
}

// langOf returns the language of a path by its extension, nil for none
// this package knows.
func langOf(p string) *language {
	ext := strings.ToLower(path.Ext(p))
	for _, l := range languages {
		for _, e := range l.exts {
			if e == ext {
				return l
			}
		}
	}
	return nil
}

// defName returns the name a definition line defines, when one of l's
// definition (or, with fields, field) patterns matches it. A pattern with
// two groups (Java, C#: the type, then the name) refuses a statement
// keyword as the type.
func (l *language) defName(line string, fields bool) string {
	pats := l.defs
	if fields {
		pats = l.fields
	}
	for _, p := range pats {
		m := p.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if name := pick(l, m); name != "" && !l.keywords[name] {
			return name
		}
	}
	return ""
}

// pick is the defined name of a pattern's match: the only group, or of
// two the second (Java, C#: after the type, which must not be a statement
// keyword), or for PHP the one that matched.
func pick(l *language, m []string) string {
	switch {
	case len(m) == 3 && l.name == "php":
		return m[1] + m[2]
	case len(m) == 3:
		if first := strings.Fields(m[1]); len(first) > 0 && notTypes[first[0]] {
			return ""
		}
		return m[2]
	}
	return m[1]
}

// isComment reports whether a trimmed line is a comment line.
func (l *language) isComment(trimmed string) bool {
	for _, c := range l.comments {
		if strings.HasPrefix(trimmed, c) {
			return true
		}
	}
	return false
}

// isDecorator reports whether a trimmed line decorates the definition
// below it.
func (l *language) isDecorator(trimmed string) bool {
	for _, d := range l.decorators {
		if strings.HasPrefix(trimmed, d) {
			return true
		}
	}
	return false
}

// isTest reports whether a path is a test file or under a test folder.
func isTest(p string) bool {
	base := strings.ToLower(path.Base(p))
	for _, s := range []string{"_test.", ".test.", ".spec.", "_spec.", "test_", "tests.", "test.java", "test.kt", "tests.cs"} {
		if strings.Contains(base, s) {
			return true
		}
	}
	for _, d := range []string{"test/", "tests/", "__tests__/", "spec/", "testdata/"} {
		if strings.HasPrefix(p, d) || strings.Contains(p, "/"+d) {
			return true
		}
	}
	return false
}
