//go:build !linux

package main

import "syscall"

// childAttr is nil where the kernel cannot signal a child when its parent
// dies.
func childAttr() *syscall.SysProcAttr { return nil }
