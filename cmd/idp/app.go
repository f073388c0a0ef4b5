package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/tongxing/tongxing/config"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/keys"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/boltstore"
	"github.com/tongxing/tongxing/provider/tokens/redisstore"
)

// app is the opened dependencies of a command.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	db      *gorm.DB
	store   *models.Store
	secrets *credentials.SecretHasher
	closers []func() error
	// Opened on first use, then shared.
	rdb  redis.UniversalClient
	feed changes.Feed
}

// openApp opens the database (migrating it when migrate is set) and the
// secret key every command needs.
func openApp(ctx context.Context, cfg config.Config, logOut io.Writer, migrate bool) (*app, error) {
	log := slog.New(cfg.Log.Handler(logOut))
	db, err := models.Open(cfg.Database.DSN, cfg.DataDir, log)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	a := &app{cfg: cfg, log: log, db: db, store: models.NewStore(db)}
	if sqlDB, err := db.DB(); err == nil {
		if cfg.UsesMySQL() {
			sqlDB.SetMaxOpenConns(cfg.Database.MaxOpenConns)
			sqlDB.SetMaxIdleConns(cfg.Database.MaxIdleConns)
		}
		a.closers = append(a.closers, sqlDB.Close)
	}
	if migrate {
		if err := models.Migrate(ctx, db); err != nil {
			a.Close()
			return nil, fmt.Errorf("migrating the database: %w", err)
		}
	}
	if a.secrets, err = a.secretHasher(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// secretHasher keys client secret hashes with the configured key, or with
// one generated once and kept in the database, so that every replica and
// the CLI agree without configuration.
func (a *app) secretHasher(ctx context.Context) (*credentials.SecretHasher, error) {
	key, err := a.cfg.SecretKeyBytes()
	if err != nil {
		return nil, usageError{err}
	}
	if len(key) == 0 {
		key, err = a.store.Settings.GetOrCreate(ctx, "secret_key", func() ([]byte, error) {
			b := make([]byte, 32)
			_, err := rand.Read(b)
			return b, err
		})
		if err != nil {
			return nil, fmt.Errorf("loading the secret key (has the database been migrated? run idp migrate): %w", err)
		}
	}
	return credentials.NewSecretHasher(key)
}

// tokenStore opens Redis when configured, the embedded store otherwise.
func (a *app) tokenStore() (tokens.Store, error) {
	if !a.cfg.UsesRedis() {
		s, err := boltstore.Open(filepath.Join(a.cfg.DataDir, "tokens.db"), boltstore.Options{})
		if err != nil {
			return nil, fmt.Errorf("opening the embedded token store: %w", err)
		}
		a.closers = append(a.closers, s.Close)
		return s, nil
	}
	return redisstore.New(a.redisClient(), redisstore.Options{Prefix: a.cfg.Redis.Prefix}), nil
}

// redisClient returns the configured Redis client, opened once for the token
// store and the change feed. It connects on first use.
func (a *app) redisClient() redis.UniversalClient {
	if a.rdb == nil {
		r := a.cfg.Redis
		a.rdb = redis.NewUniversalClient(&redis.UniversalOptions{
			Addrs: r.Addrs, MasterName: r.MasterName, Username: r.Username, Password: r.Password, DB: r.DB,
		})
		a.closers = append(a.closers, a.rdb.Close)
	}
	return a.rdb
}

// changeFeed returns the feed of record change notices, made once: through
// Redis when it is configured, so that every server hears the changes of
// the others and of the command line; in-process otherwise, where the
// admin API and the provider of the one server share it, and the command
// line, in a process of its own, reaches no one.
func (a *app) changeFeed() changes.Feed {
	if a.feed == nil {
		if a.cfg.UsesRedis() {
			a.feed = changes.NewRedis(a.redisClient(), a.cfg.Redis.Prefix, a.log)
		} else {
			a.feed = changes.NewLocal()
		}
	}
	return a.feed
}

// signingKeys loads the key set, creating a key per configured algorithm
// that has none.
func (a *app) signingKeys(ctx context.Context) (*keys.Set, error) {
	k := a.cfg.Keys
	set, err := keys.New(ctx, a.store.Keys, keys.Options{
		PublishDelay:     k.PublishDelay,
		MaxTokenLifetime: max(a.cfg.Tokens.AccessTokenLifetime, a.cfg.Tokens.IDTokenLifetime),
		ReloadInterval:   k.ReloadInterval,
	})
	if err != nil {
		return nil, err
	}
	if err := set.Ensure(ctx, k.Algorithms...); err != nil {
		return nil, err
	}
	return set, nil
}

// Close releases everything, newest first.
func (a *app) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	return errors.Join(errs...)
}
