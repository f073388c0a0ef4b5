package partner

import (
	"strconv"
	"time"

	"github.com/tongxing/tongxing/models"
)

// createdLayout is the document's "created": local time in the configured
// zone, to the second.
const createdLayout = "2006-01-02 15:04:05"

// userData is getUserInfo's data, in the document's field order and types.
// status has no counterpart in the records and is always null, as in the
// document's example; a disabled user never gets this far.
func (a *API) userData(u *models.User, clear bool) object {
	phone := ""
	if u.Phone != nil {
		phone = *u.Phone
	}
	return object{
		{"username", str(maskUsername.show(u.Username, clear))},
		{"truename", str(maskPersonName.show(u.RealName, clear))},
		{"sex", str(strconv.Itoa(u.Sex))},
		{"phone", str(maskUserPhone.show(phone, clear))},
		{"is_admin", str(flag(u.IsAdmin))},
		{"status", null()},
		{"avatar", str(u.Avatar)},
		{"created", str(a.local(u.CreatedAt))},
		{"nowtime", num(a.now().Unix())},
	}
}

// companyData is getCompanyInfo's data, in the document's field order and
// types.
func (a *API) companyData(c *models.Company, clear bool) object {
	return object{
		{"company_name", str(maskCompanyName.show(c.Name, clear))},
		{"company_type", str(c.Type)},
		{"tax_number", str(maskTaxNumber.show(c.TaxNumber, clear))},
		{"province", str(c.Province)},
		{"city", str(c.City)},
		{"zone", str(c.Zone)},
		{"address", str(maskAddress.show(c.Address, clear))},
		{"disable", str(c.Disable)},
		{"tel_phone", str(maskCompanyTel.show(c.TelPhone, clear))},
		{"legal_person_phone", str(maskCompanyTel.show(c.LegalPersonPhone, clear))},
		{"legal_person_name", str(maskPersonName.show(c.LegalPersonName, clear))},
		{"created", str(a.local(c.CreatedAt))},
		{"nowtime", num(a.now().Unix())},
	}
}

func (a *API) local(t time.Time) string { return t.In(a.loc).Format(createdLayout) }

// flag is a boolean as the document writes it: "1" or "0".
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
