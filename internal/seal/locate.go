package seal

import (
	"context"
	"errors"
)

// Target is where a service's SealedSecret (and the Secret it unseals to)
// lives in the cluster.
type Target struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

func (t Target) String() string { return t.Namespace + "/" + t.Name }

// Locator tells where a service's SealedSecret is rendered. RenderLocator
// is the one the commands use; tests may pass their own.
type Locator func(ctx context.Context, service string) (Target, error)

// ErrNoSealedSecret is returned (wrapped) when a service renders no
// SealedSecret, so a strict or namespace-wide seal needs --name/--namespace.
var ErrNoSealedSecret = errors.New("no SealedSecret found for the service")
