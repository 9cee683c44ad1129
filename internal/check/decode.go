package check

import (
	"fmt"
	"strings"
	"sync"

	rolloutsv1alpha1 "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	sealedv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	kjson "sigs.k8s.io/json"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// scheme knows every built-in Kubernetes type, Argo Rollouts' types and
// SealedSecret. Argo CD's Application and AppProject share the argoproj.io
// group with Rollouts and are decoded with internal/argo instead. Built on
// first use: registering the types costs every command's start-up.
var scheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, rolloutsv1alpha1.AddToScheme, sealedv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
})

// objRef is "Kind namespace/name" of an object.
func objRef(o manifest.Object) string {
	k := o.Key()
	if k.Namespace == "" {
		return k.Kind + " " + k.Name
	}
	return k.Kind + " " + k.Namespace + "/" + k.Name
}

// Decode decodes an object strictly into its Go type: unknown or duplicate
// fields and wrong value types are errors. known is false for kinds
// gitopsctl does not know (custom resources), which are skipped.
func Decode(o manifest.Object) (known bool, err error) {
	gvk := o.GVK()
	data, err := o.Object.MarshalJSON()
	if err != nil {
		return true, err
	}
	if gvk.Group == argo.Group && (gvk.Kind == argo.KindApp || gvk.Kind == argo.KindProject) {
		if gvk.Version != "v1alpha1" {
			return true, fmt.Errorf("unknown apiVersion %s for %s", o.Object.GetAPIVersion(), gvk.Kind)
		}
		if gvk.Kind == argo.KindApp {
			_, err = argo.DecodeApplication(data)
		} else {
			_, err = argo.DecodeAppProject(data)
		}
		return true, err
	}
	obj, err := scheme().New(gvk)
	if err != nil {
		return false, nil
	}
	strict, err := kjson.UnmarshalStrict(data, obj)
	if err != nil {
		return true, fmt.Errorf("%s: %s", gvk.GroupVersion(), cleanJSONErr(err))
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return true, fmt.Errorf("%s: %s", gvk.GroupVersion(), strings.Join(msgs, "; "))
	}
	return true, nil
}

func cleanJSONErr(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// decodeProblems strictly decodes every object of an app.
func decodeProblems(app, repo string, fileOf func(manifest.Object) string, objs []manifest.Object) []Problem {
	var out []Problem
	for _, o := range objs {
		if known, err := Decode(o); known && err != nil {
			out = append(out, Problem{Class: ClassDecode, App: app, Repo: repo, File: fileOf(o), Object: objRef(o), Message: err.Error()})
		}
	}
	return out
}
