package models

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// slowLogger is gorm's logger reduced to slow statements. Errors are not
// logged here: the repositories return them to callers, which decide, and an
// expected duplicate or missing row is no event. Statements are logged
// without their arguments, which include password and secret hashes and
// private keys.
type slowLogger struct {
	log       *slog.Logger
	threshold time.Duration
}

// newSlowLogger logs statements slower than threshold to log; nil log
// discards everything.
func newSlowLogger(log *slog.Logger, threshold time.Duration) logger.Interface {
	if log == nil {
		return logger.Discard
	}
	return &slowLogger{log: log, threshold: threshold}
}

// LogMode keeps the logger as it is: only slow statements are ever logged.
func (l *slowLogger) LogMode(logger.LogLevel) logger.Interface { return l }

// Info drops gorm's informational messages.
func (l *slowLogger) Info(context.Context, string, ...any) {}

// Warn drops gorm's warnings.
func (l *slowLogger) Warn(context.Context, string, ...any) {}

// Error drops gorm's error messages; errors reach callers as values.
func (l *slowLogger) Error(context.Context, string, ...any) {}

// Trace logs a statement that took longer than the threshold.
func (l *slowLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	elapsed := time.Since(begin)
	if elapsed <= l.threshold {
		return
	}
	sql, rows := fc()
	l.log.WarnContext(ctx, "slow database statement",
		slog.Duration("elapsed", elapsed),
		slog.String("sql", sql),
		slog.Int64("rows", rows))
}

// ParamsFilter leaves the arguments out of logged statements.
func (l *slowLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
