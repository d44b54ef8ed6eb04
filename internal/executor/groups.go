package executor

import "context"

// GroupWatcher hears of each process group an attempt starts (running)
// and, once the group is gone, ends. start is the leader's start time in
// clock ticks since boot; token tags the environment of every process
// the group's leader starts, those that leave the group too.
type GroupWatcher func(pgid int, start uint64, token string, running bool)

type watcherKey struct{}

// WithGroupWatcher returns a context whose attempts report their process
// groups to w. The engine uses it to record groups for resume.
func WithGroupWatcher(ctx context.Context, w GroupWatcher) context.Context {
	return context.WithValue(ctx, watcherKey{}, w)
}

// WatchGroup tells ctx's watcher, if any, about a process group. Code that
// starts processes (executor/proc) calls it.
func WatchGroup(ctx context.Context, pgid int, start uint64, token string, running bool) {
	if w, ok := ctx.Value(watcherKey{}).(GroupWatcher); ok && w != nil {
		w(pgid, start, token, running)
	}
}
