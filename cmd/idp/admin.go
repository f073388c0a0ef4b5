package main

import (
	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/admin"
	"github.com/tongxing/tongxing/provider/keys"
	"github.com/tongxing/tongxing/provider/tokens"
)

// mountAdmin mounts the admin REST API on the provider's token checks,
// token store and key set. Its changes reach the provider's record cache,
// and those of every other server sharing Redis, through the change feed.
func mountAdmin(r gin.IRouter, a *app, p *provider.Provider, ts tokens.Store, set *keys.Set) error {
	svc, err := admin.NewService(admin.Config{
		Records: a.store,
		Tokens:  ts,
		Secrets: a.secrets,
		Keys:    set,
		Changes: a.changeFeed(),
		Log:     a.log,
	})
	if err != nil {
		return err
	}
	admin.NewAPI(svc, p, a.log).Routes(r)
	return nil
}
