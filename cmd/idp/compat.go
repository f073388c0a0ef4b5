package main

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/compat/partner"
	"github.com/tongxing/tongxing/provider"
)

// mountCompat mounts each legacy API that the configuration enables; a
// disabled one has no routes at all.
func mountCompat(r gin.IRouter, a *app, p *provider.Provider) error {
	if pc := a.cfg.Compat.Partner; pc.Enabled {
		api, err := partner.New(partner.Config{
			Core:            p,
			Clients:         a.store.Clients,
			Users:           a.store.Users,
			Companies:       a.store.Companies,
			Audit:           a.store.Audit,
			TimestampWindow: pc.TimestampWindow,
			CodeLifetime:    pc.AuthCodeLifetime,
			Location:        a.cfg.Location(),
			Log:             a.log.With("api", "partner"),
		})
		if err != nil {
			return fmt.Errorf("partner open API: %w", err)
		}
		api.Routes(r)
	}
	return nil
}
