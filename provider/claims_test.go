package provider

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

// TestUserClaims: each scope releases its claims and only them (OIDC Core
// §5.4), in the exact JSON relying parties parse.
func TestUserClaims(t *testing.T) {
	email, phone := "ivy@example.com", "+8613800000000"
	full := &models.User{ID: "u1", Username: "ivy", RealName: "Ivy Li", Nickname: "ivy", Avatar: "https://img.example.com/ivy.png",
		Sex: 2, Email: &email, Phone: &phone, UpdatedAt: time.Unix(1700000000, 0)}
	bare := &models.User{ID: "u2", Username: "bo", UpdatedAt: time.Unix(1700000001, 0)}
	tests := []struct {
		name  string
		user  *models.User
		scope string
		want  string
	}{
		{"openid only", full, "openid", `{"sub":"u1"}`},
		{"profile", full, "openid profile",
			`{"sub":"u1","preferred_username":"ivy","name":"Ivy Li","nickname":"ivy","picture":"https://img.example.com/ivy.png","gender":"female","updated_at":1700000000}`},
		{"email", full, "openid email", `{"sub":"u1","email":"ivy@example.com","email_verified":false}`},
		{"phone", full, "openid phone", `{"sub":"u1","phone_number":"+8613800000000","phone_number_verified":false}`},
		{"profile of a bare user", bare, "openid profile email phone", `{"sub":"u2","preferred_username":"bo","updated_at":1700000001}`},
		{"male", &models.User{ID: "u3", Username: "al", Sex: 1}, "openid profile",
			`{"sub":"u3","preferred_username":"al","gender":"male"}`},
		{"unknown sex", &models.User{ID: "u4", Username: "cy", Sex: 9}, "openid profile",
			`{"sub":"u4","preferred_username":"cy"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(userClaims(tt.user, tt.scope))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("claims\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
