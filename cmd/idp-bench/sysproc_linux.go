package main

import "syscall"

// childAttr makes a child process end with the benchmark, however the
// benchmark ends.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
