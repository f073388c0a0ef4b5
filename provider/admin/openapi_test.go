package admin_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tongxing/tongxing/provider/admin"
)

// openAPIFile is the API's description, checked against what is served.
const openAPIFile = "../../docs/openapi/admin.yaml"

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi version %q", v)
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || servers[0].(map[string]any)["url"] != admin.Prefix {
		t.Fatalf("servers = %v, want one with url %s", servers, admin.Prefix)
	}

	documented := map[string]bool{}
	operationIDs := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for key, op := range ops {
			if key == "parameters" {
				continue
			}
			if !slices.Contains(httpMethods, key) {
				t.Errorf("%s: unknown member %q", path, key)
				continue
			}
			documented[strings.ToUpper(key)+" "+admin.Prefix+path] = true
			o, _ := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" || operationIDs[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", key, path, id)
			}
			operationIDs[id] = true
			if resp, _ := o["responses"].(map[string]any); len(resp) == 0 {
				t.Errorf("%s %s: no responses", key, path)
			}
			// Every path parameter is declared, on the path or the operation.
			declared := declaredParams(t, doc, ops["parameters"], o["parameters"])
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s is not declared", key, path, m[1])
				}
			}
		}
	}

	e := newEnv(t, setup{name: "sqlite"})
	served := map[string]bool{}
	colon := regexp.MustCompile(`:([A-Za-z_]+)`)
	for _, r := range e.engine.Routes() {
		if strings.HasPrefix(r.Path, admin.Prefix+"/") {
			served[r.Method+" "+colon.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	for op := range served {
		if !documented[op] {
			t.Errorf("%s is served but not documented in %s", op, openAPIFile)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("%s is documented in %s but not served", op, openAPIFile)
		}
	}
	if len(served) == 0 {
		t.Fatal("no admin routes served")
	}

	// Every reference resolves.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if resolve(doc, ref) == nil {
					t.Errorf("unresolved $ref %s", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
}

// resolve returns what a local reference points at, or nil.
func resolve(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// declaredParams returns the names of the path parameters in lists.
func declaredParams(t *testing.T, doc map[string]any, lists ...any) map[string]bool {
	out := map[string]bool{}
	for _, l := range lists {
		items, _ := l.([]any)
		for _, it := range items {
			p, _ := it.(map[string]any)
			if ref, ok := p["$ref"].(string); ok {
				p, _ = resolve(doc, ref).(map[string]any)
			}
			if p["in"] == "path" {
				if p["required"] != true {
					t.Errorf("path parameter %v is not required", p["name"])
				}
				out[p["name"].(string)] = true
			}
		}
	}
	return out
}
