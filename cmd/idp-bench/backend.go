package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// benchDatabase is a database created for one run on a MySQL/MariaDB
// server, dropped when the run ends.
type benchDatabase struct {
	admin   *sql.DB
	name    string
	dsn     string // of the new database, for the provider
	version string
}

// createDatabase creates tongxing_bench_<random> on the server of dsn
// (whose database name, if any, is ignored).
func createDatabase(ctx context.Context, dsn string) (*benchDatabase, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("-mysql: %w", err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("-mysql: %w", err)
	}
	admin.SetMaxOpenConns(1)
	d := &benchDatabase{admin: admin, name: "tongxing_bench_" + randomHex(6)}
	if err := admin.QueryRowContext(ctx, "SELECT VERSION()").Scan(&d.version); err != nil {
		admin.Close()
		return nil, fmt.Errorf("-mysql: connecting: %w", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+d.name+"` CHARACTER SET utf8mb4"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("-mysql: create database %s: %w", d.name, err)
	}
	cfg.DBName = d.name
	d.dsn = cfg.FormatDSN()
	return d, nil
}

// drop removes the database and closes the connection.
func (d *benchDatabase) drop() error {
	defer d.admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := d.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+d.name+"`"); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

// benchRedis is a key prefix on a Redis node, used by one run and whose
// keys are deleted when it ends. Nothing else on the node is touched.
type benchRedis struct {
	client  *redis.Client
	addr    string
	prefix  string
	version string
}

func openRedis(ctx context.Context, addr string) (*benchRedis, error) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("-redis %s: %w", addr, err)
	}
	return &benchRedis{client: c, addr: addr, prefix: "txbench:" + randomHex(6) + ":", version: infoString(info, "redis_version")}, nil
}

// usedMemory returns INFO memory's used_memory.
func (r *benchRedis) usedMemory(ctx context.Context) (int64, error) {
	info, err := r.client.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	n, ok := infoField(info, "used_memory")
	if !ok {
		return 0, fmt.Errorf("no used_memory in INFO memory")
	}
	return n, nil
}

// prefixUsage returns how many keys are under the prefix and the sum of
// their MEMORY USAGE (every element counted): what this run's keys hold,
// whatever else the Redis node holds or does meanwhile.
func (r *benchRedis) prefixUsage(ctx context.Context) (keys, bytes int64, err error) {
	iter := r.client.Scan(ctx, 0, r.prefix+"*", 5000).Iterator()
	batch := make([]string, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		pipe := r.client.Pipeline()
		cmds := make([]*redis.IntCmd, len(batch))
		for i, k := range batch {
			cmds[i] = pipe.MemoryUsage(ctx, k, 0)
		}
		_, err := pipe.Exec(ctx)
		for _, c := range cmds {
			if c.Err() == nil {
				keys++
				bytes += c.Val()
			}
		}
		batch = batch[:0]
		if errors.Is(err, redis.Nil) { // a key expired between SCAN and MEMORY USAGE
			err = nil
		}
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return keys, bytes, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return keys, bytes, err
	}
	return keys, bytes, flush()
}

// cleanup deletes every key under the prefix, in batches, and closes the
// client. It returns how many keys it deleted.
func (r *benchRedis) cleanup() (int64, error) {
	defer r.client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var deleted int64
	iter := r.client.Scan(ctx, 0, r.prefix+"*", 5000).Iterator()
	batch := make([]string, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := r.client.Unlink(ctx, batch...).Result()
		deleted += n
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return deleted, err
	}
	return deleted, flush()
}
