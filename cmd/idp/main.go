// Command idp is Tongxing's one binary: the server and the commands that
// manage its records.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCommand(os.Environ()).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "idp:", err)
		os.Exit(exitCode(err))
	}
}
