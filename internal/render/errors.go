package render

import (
	"errors"
	"fmt"
	"strconv"
)

// Error is a render failure of one Application, located where possible.
type Error struct {
	// App is the Application's name.
	App string `json:"app"`
	// Repo is the directory of the repository File is in ("" when unknown).
	Repo string `json:"repo,omitempty"`
	// File is the path, relative to its repository root, of the file the
	// problem is in: the Application manifest, a value file, a template.
	File string `json:"file,omitempty"`
	// Line is the 1-based line in File (0 when unknown).
	Line int `json:"line,omitempty"`
	// Err is the cause.
	Err error `json:"-"`
}

func (e *Error) Error() string {
	loc := e.File
	if loc != "" && e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if loc != "" {
		return fmt.Sprintf("app %s: %s: %v", e.App, loc, e.Err)
	}
	return fmt.Sprintf("app %s: %v", e.App, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// MarshalJSON adds the message.
func (e *Error) MarshalJSON() ([]byte, error) {
	type plain Error
	return jsonMarshal(struct {
		*plain
		Message string `json:"message"`
	}{(*plain)(e), e.Err.Error()})
}

// located is an error that knows its file and line (set deep inside
// source resolution, completed with the app name on the way out).
type located struct {
	repo, file string
	line       int
	err        error
}

func (l *located) Error() string { return l.err.Error() }
func (l *located) Unwrap() error { return l.err }

func at(repo, file string, line int, err error) error {
	var l *located
	if errors.As(err, &l) {
		return err
	}
	return &located{repo: repo, file: file, line: line, err: err}
}

// appError turns err into an *Error for app, keeping a location found below.
func appError(app *App, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	re := &Error{App: app.Name, Err: err}
	var l *located
	if errors.As(err, &l) {
		re.Repo, re.File, re.Line, re.Err = l.repo, l.file, l.line, l.err
	} else {
		re.Repo, re.File, re.Line = app.RepoDir, app.File, app.Line
	}
	return re
}
