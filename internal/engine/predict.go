package engine

import "github.com/osopdev/osop/internal/executor"

// predict keeps, while planning, the outputs node i's executor knows it
// will give, so the nodes after it are described with them.
func (d *driver) predict(i int, ex executor.Executor, req *executor.Request) {
	p, ok := ex.(executor.Predictor)
	if !ok {
		return
	}
	if out := p.Predict(req); len(out) > 0 {
		d.outs[i].Store(&out)
	}
}
