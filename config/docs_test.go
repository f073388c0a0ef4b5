package config

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the key table in docs/configuration.md")

const (
	docsPath   = "../docs/configuration.md"
	tableBegin = "<!-- keys:begin -->"
	tableEnd   = "<!-- keys:end -->"
)

// keyTable renders the documentation table of every key from Settings.
func keyTable() string {
	var b strings.Builder
	b.WriteString("| YAML key | Environment variable | Type | Default | Meaning |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, s := range Settings() {
		def := "empty"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		doc := s.Doc
		if s.Secret {
			doc += " Treat as a secret."
		}
		b.WriteString("| `" + s.Path + "` | `" + s.Env + "` | " + s.Type + " | " + def + " | " +
			strings.ReplaceAll(doc, "|", `\|`) + " |\n")
	}
	return b.String()
}

// TestDocsListEveryKey keeps docs/configuration.md's key table identical to
// the key table in code. Run `go test ./config -run TestDocs -update-docs`
// after changing a key, its default or its meaning.
func TestDocsListEveryKey(t *testing.T) {
	raw, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	before, rest, ok1 := strings.Cut(doc, tableBegin+"\n")
	current, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s: missing the %s / %s markers around the key table", docsPath, tableBegin, tableEnd)
	}
	want := keyTable()
	if *updateDocs {
		if current != want {
			if err := os.WriteFile(docsPath, []byte(before+tableBegin+"\n"+want+tableEnd+after), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for _, s := range Settings() {
		if !strings.Contains(current, "| `"+s.Path+"` | `"+s.Env+"` |") {
			t.Errorf("%s does not list %s (%s)", docsPath, s.Path, s.Env)
		}
	}
	if current != want {
		t.Errorf("%s: key table is out of date; run: go test ./config -run TestDocs -update-docs", docsPath)
	}
}

// TestDocsSampleLoads checks that the sample file in the documentation is
// accepted as it stands.
func TestDocsSampleLoads(t *testing.T) {
	raw, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Sample file.*?```yaml\n(.*?)```").FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s: no yaml block under a \"Sample file\" heading", docsPath)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, m[1], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, nil); err != nil {
		t.Fatalf("sample file in %s does not load: %v", docsPath, err)
	}
}

// TestComposeEnvironmentLoads keeps docker-compose.yml's settings for the
// server in line with the key table.
func TestComposeEnvironmentLoads(t *testing.T) {
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	env := compose.Services["idp"].Environment
	if len(env) == 0 {
		t.Fatal("docker-compose.yml: service idp sets no environment")
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	c, err := Load("", environ)
	if err != nil {
		t.Fatalf("docker-compose.yml environment: %v", err)
	}
	if !c.UsesMySQL() || !c.UsesRedis() {
		t.Errorf("docker-compose.yml should configure both external backends")
	}
}
