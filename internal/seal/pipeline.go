package seal

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// planAll plans every service in two overlapping stages of jobs workers
// each: the first reads a service's files, locates its SealedSecret
// (rendering its app when the render cache does not know it) and decides
// which keys to seal; the second encrypts those keys and edits the files in
// memory. A service's RSA work thus runs while the next services are
// rendered. It returns a plan or an error for every service, in order.
func (o *Options) planAll(ctx context.Context, services []string, jobs int) ([]*Plan, []error) {
	n := len(services)
	plans := make([]*Plan, n)
	errs := make([]error, n)
	pending := make([]*pendingPlan, n)
	located := make(chan int, n)
	var (
		mu   sync.Mutex
		done int
	)
	finished := func() {
		if o.Progress == nil {
			return
		}
		mu.Lock()
		done++
		o.Progress(done, n)
		mu.Unlock()
	}
	var encrypters sync.WaitGroup
	for w := 0; w < jobs; w++ {
		encrypters.Add(1)
		go func() {
			defer encrypters.Done()
			for i := range located {
				plans[i], errs[i] = pending[i].finish(ctx)
				pending[i] = nil
				finished()
			}
		}()
	}
	var locators errgroup.Group
	locators.SetLimit(jobs)
	for i, svc := range services {
		locators.Go(func() error {
			plain, exists, err := ReadPlaintext(o.ConfigsDir, svc)
			var pp *pendingPlan
			if err == nil {
				pp, err = o.prepare(ctx, svc, plain, exists)
			}
			if err != nil {
				errs[i] = err // all of them, in service order, joined by Run
				finished()
				return nil
			}
			pending[i] = pp
			located <- i
			return nil
		})
	}
	_ = locators.Wait()
	close(located)
	encrypters.Wait()
	return plans, errs
}
