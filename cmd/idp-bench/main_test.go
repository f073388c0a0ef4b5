package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunUsage(t *testing.T) {
	notAFolder := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notAFolder, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"-scenarios", "nope"}, exitUsage, `unknown scenario "nope"`},
		{[]string{"-connections", "0"}, exitUsage, "-connections and -duration must be positive"},
		{[]string{"-compare", "only-one.json"}, exitUsage, "needs two result files"},
		{[]string{"-compare", "missing-a.json", "missing-b.json"}, exitFailure, "missing-a.json"},
		{[]string{"stray"}, exitUsage, "unexpected arguments"},
		{[]string{"-no-such-flag"}, exitUsage, "flag provided but not defined"},
		{[]string{"-server-env", "DATABASE_CACHE_TTL=2s"}, exitUsage, "is not IDP_NAME=VALUE"},
		{[]string{"-server-env", "IDP_DATABASE_CACHE_TTL"}, exitUsage, "is not IDP_NAME=VALUE"},
		{[]string{"-reference-duration", "0"}, exitUsage, "-reference-duration must be positive"},
		{[]string{"-reference-duration", "-5s"}, exitUsage, "-reference-duration must be positive"},
		{[]string{"-smoke", "-reference-duration", "0s"}, exitUsage, "-reference-duration must be positive"},
		{[]string{"-reference-duration", "ten"}, exitUsage, `invalid value "ten" for flag -reference-duration`},
		{[]string{"-pprof", t.TempDir(), "-server-env", "IDP_DEBUG_PPROF_ADDR=127.0.0.1:6060"}, exitUsage, "-pprof sets IDP_DEBUG_PPROF_ADDR itself"},
		// A folder that cannot be created fails the run before anything starts.
		{[]string{"-pprof", filepath.Join(notAFolder, "profiles")}, exitFailure, "idp-bench: -pprof: mkdir " + notAFolder},
		{[]string{"-perf", filepath.Join(notAFolder, "perf")}, exitFailure, "idp-bench: mkdir " + notAFolder},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(tt.args, &out, &errOut); code != tt.code || !strings.Contains(errOut.String(), tt.err) {
			t.Errorf("run %q = %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.err)
		}
	}
}

func TestRunHelpHidesTheReferenceServerFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-h"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	help := errOut.String()
	if !strings.Contains(help, "-connections") || !strings.Contains(help, "-smoke") || strings.Contains(help, "serve-trivial") {
		t.Fatalf("help:\n%s", help)
	}
	// -reference-duration's default is -duration's value, not a zero.
	if !strings.Contains(help, "(default: the value of -duration)\n") || strings.Contains(help, "(default 0s)") {
		t.Fatalf("help:\n%s", help)
	}
}

func TestRunList(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-list"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, name := range scenarioNames() {
		if !strings.Contains(out.String(), name+" ") {
			t.Errorf("-list lacks %s", name)
		}
	}
}

func TestRunCompare(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := writeJSON(a, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-compare", a, b}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "ratio change") || !strings.Contains(out.String(), "authorization_code") {
		t.Fatalf("comparison:\n%s", out.String())
	}
}
