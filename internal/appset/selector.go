package appset

import (
	"fmt"
	"sort"
)

// LabelSelector is a Kubernetes label selector.
type LabelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels"`
	MatchExpressions []struct {
		Key      string   `json:"key"`
		Operator string   `json:"operator"`
		Values   []string `json:"values"`
	} `json:"matchExpressions"`
}

type requirement struct {
	key    string
	op     string
	values map[string]bool
}

// selector matches label sets; an empty one matches every set.
type selector struct{ reqs []requirement }

// compile checks the selector as LabelSelectorAsSelector does (In and
// NotIn need values, Exists and DoesNotExist take none); values may be any
// string, as Argo CD's own copy of it allows
// (applicationset/utils/selector.go).
func (s *LabelSelector) compile() (*selector, error) {
	out := &selector{}
	if s == nil {
		return out, nil
	}
	keys := make([]string, 0, len(s.MatchLabels))
	for k := range s.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.reqs = append(out.reqs, requirement{key: k, op: "In", values: map[string]bool{s.MatchLabels[k]: true}})
	}
	for _, e := range s.MatchExpressions {
		r := requirement{key: e.Key, op: e.Operator, values: map[string]bool{}}
		for _, v := range e.Values {
			r.values[v] = true
		}
		switch e.Operator {
		case "In", "NotIn":
			if len(e.Values) == 0 {
				return nil, fmt.Errorf("matchExpressions: key %s: operator %s needs values", e.Key, e.Operator)
			}
		case "Exists", "DoesNotExist":
			if len(e.Values) > 0 {
				return nil, fmt.Errorf("matchExpressions: key %s: operator %s takes no values", e.Key, e.Operator)
			}
		default:
			return nil, fmt.Errorf("matchExpressions: key %s: %q is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)", e.Key, e.Operator)
		}
		if e.Key == "" {
			return nil, fmt.Errorf("matchExpressions: a key is empty")
		}
		out.reqs = append(out.reqs, r)
	}
	return out, nil
}

func (s *selector) empty() bool { return s == nil || len(s.reqs) == 0 }

func (s *selector) matches(labels map[string]string) bool {
	if s == nil {
		return true
	}
	for _, r := range s.reqs {
		v, has := labels[r.key]
		switch r.op {
		case "In":
			if !has || !r.values[v] {
				return false
			}
		case "NotIn":
			if has && r.values[v] {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
}
