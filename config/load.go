package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Environment variables with a meaning of their own rather than a key.
const (
	// EnvConfigFile names the YAML file Load reads when given no path.
	EnvConfigFile = "IDP_CONFIG"
	// envPrefix marks the variables Load owns: each must name a key.
	envPrefix = "IDP_"
	// envTestPrefix marks variables the test suites read (backends to run
	// against and the like); Load leaves them alone.
	envTestPrefix = "IDP_TEST_"
)

// Load builds the configuration: Default, then the YAML file at path (or,
// when path is empty, at $IDP_CONFIG if set), then the IDP_ variables of
// environ (in os.Environ form), then Validate.
//
// Unknown keys are errors, both in the file and as IDP_ variables, so a
// misspelt setting cannot silently leave a default in force. All problems
// found in one stage are reported together.
func Load(path string, environ []string) (Config, error) {
	env := idpEnv(environ)
	if path == "" {
		path = env[EnvConfigFile]
	}
	c := Default()
	var errs []error
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		if err := c.applyYAML(path, data); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.applyEnv(env); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// idpEnv picks the IDP_ variables out of environ; a later duplicate wins,
// as with os/exec.
func idpEnv(environ []string) map[string]string {
	env := make(map[string]string)
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, envPrefix) {
			env[k] = v
		}
	}
	return env
}

// applyEnv sets every key whose variable is present, even to an empty value
// (IDP_REDIS_ADDRS= selects the embedded token store over a file's Redis).
func (c *Config) applyEnv(env map[string]string) error {
	var errs []error
	known := map[string]bool{EnvConfigFile: true}
	for _, s := range settings() {
		name := EnvName(s.path)
		known[name] = true
		v, ok := env[name]
		if !ok {
			continue
		}
		if err := s.field.set(c, v); err != nil {
			errs = append(errs, &FieldError{Key: s.path, Err: err})
		}
	}
	var unknown []string
	for name := range env {
		if !known[name] && !strings.HasPrefix(name, envTestPrefix) {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		errs = append(errs, fmt.Errorf("%s: no configuration key has this variable (see docs/configuration.md)", name))
	}
	return errors.Join(errs...)
}

// applyYAML decodes one YAML document over c. It first walks the document
// against the key table so that unknown keys and values of the wrong type
// are reported with their full path and line, all at once; the decode
// itself is strict (KnownFields) as well.
func (c *Config) applyYAML(file string, data []byte) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: must hold a single YAML document", file)
	}

	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // only comments
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: the top level must be a mapping of keys", file, root.Line)
	}

	leaves := make(map[string]field)
	sections := make(map[string]bool)
	for _, s := range settings() {
		leaves[s.path] = s.field
		for i, r := range s.path {
			if r == '.' {
				sections[s.path[:i]] = true
			}
		}
	}
	w := yamlWalker{file: file, leaves: leaves, sections: sections}
	w.mapping(root, "")
	if len(w.errs) > 0 {
		return errors.Join(w.errs...)
	}

	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(c); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// yamlWalker checks a YAML mapping tree against the key table.
type yamlWalker struct {
	file     string
	leaves   map[string]field
	sections map[string]bool
	errs     []error
}

func (w *yamlWalker) errorf(line int, format string, args ...any) {
	w.errs = append(w.errs, fmt.Errorf("%s:%d: %s", w.file, line, fmt.Sprintf(format, args...)))
}

func (w *yamlWalker) mapping(n *yaml.Node, prefix string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Tag == "!!merge" {
			// A merge key (<<: *anchor) contributes the anchor's keys.
			switch v.Kind {
			case yaml.MappingNode:
				w.mapping(v, prefix)
			case yaml.SequenceNode:
				for _, m := range v.Content {
					if m = deref(m); m.Kind == yaml.MappingNode {
						w.mapping(m, prefix)
					}
				}
			}
			continue
		}
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		switch {
		case w.leaves[path] != nil:
			if err := w.leaves[path].probe(v); err != nil {
				w.errs = append(w.errs, fmt.Errorf("%s:%d: %w", w.file, v.Line, &FieldError{Key: path, Err: err}))
			}
		case w.sections[path]:
			switch {
			case v.Kind == yaml.MappingNode:
				w.mapping(v, path)
			case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
				// An empty section sets nothing.
			default:
				w.errorf(v.Line, "%s must be a mapping of keys", path)
			}
		default:
			w.errorf(k.Line, "unknown key %s", path)
		}
	}
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
