package chartstest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
)

// Proc is a TB for programs (development tools) that serve charts outside a
// test: Do runs a setup and returns the error it reported with Fatal; Close
// stops the servers and removes the temporary directories.
type Proc struct {
	mu       sync.Mutex
	cleanups []func()
	inDo     bool
	err      error
}

var _ TB = (*Proc)(nil)

// Do runs setup with p as its TB and returns the first error setup passed
// to Fatal (Fatal ends setup there), else nil. What setup started before
// failing keeps running until Close.
func (p *Proc) Do(setup func(TB)) error {
	p.mu.Lock()
	p.inDo, p.err = true, nil
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		setup(p)
	}()
	<-done
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inDo = false
	return p.err
}

// Helper does nothing: a program's errors carry no test line.
func (p *Proc) Helper() {}

// Fatal records the error and ends the setup Do runs. Only Do's setup may
// call it.
func (p *Proc) Fatal(args ...any) {
	p.mu.Lock()
	if !p.inDo {
		p.mu.Unlock()
		panic("chartstest: Proc.Fatal outside Proc.Do: " + fmt.Sprint(args...))
	}
	if p.err == nil {
		p.err = errors.New(fmt.Sprint(args...))
	}
	p.mu.Unlock()
	runtime.Goexit()
}

// TempDir makes a directory that Close removes.
func (p *Proc) TempDir() string {
	dir, err := os.MkdirTemp("", "chartstest-")
	if err != nil {
		p.Fatal(err)
	}
	p.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Cleanup registers f for Close.
func (p *Proc) Cleanup(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleanups = append(p.cleanups, f)
}

// Close runs the registered cleanups, last registered first.
func (p *Proc) Close() {
	p.mu.Lock()
	fs := p.cleanups
	p.cleanups = nil
	p.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
