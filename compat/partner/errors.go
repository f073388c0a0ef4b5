package partner

import (
	"errors"
	"net/http"
	"strconv"
)

// Error is one entry of the partner open API's code table: the code and
// message its envelope carries and the HTTP status it is sent with. The
// messages are the document's own text, byte for byte.
//
// Every answer is HTTP 200 with the outcome in the envelope's code, as
// partners' clients expect (many HTTP clients raise on a 4xx before the
// body is read); only ErrInternal is also HTTP 500, so load balancers and
// monitors see a failing server.
type Error struct {
	Code    int
	Message string
	Status  int
	cause   error
}

// The document's error codes (section 4).
var (
	// ErrTokenExpired: the access token's lifetime has ended.
	ErrTokenExpired = &Error{Code: 100014, Message: "访问token已过期,过期时间一般为3个月", Status: http.StatusOK}
	// ErrUnknownClient: no client has the Basic user name as its ID.
	ErrUnknownClient = &Error{Code: 100008, Message: "该client_id 不存在", Status: http.StatusOK}
	// ErrBasicAuth: the Authorization header is missing or is not Basic
	// credentials with a client ID and a secret.
	ErrBasicAuth = &Error{Code: 100009, Message: "HTTP协议头认证非法", Status: http.StatusOK}
	// ErrClientDenied: wrong secret, disabled or public client, a client
	// not allowed this API, or a client_id parameter naming another client.
	ErrClientDenied = &Error{Code: 100002, Message: "client_id 访问非法", Status: http.StatusOK}
	// ErrCodeUnknown: no live auth_code of this API has the value.
	ErrCodeUnknown = &Error{Code: 100019, Message: "授权码不存在,请重新授权", Status: http.StatusOK}
	// ErrCodeScope: the auth_code does not cover the data asked for.
	ErrCodeScope = &Error{Code: 100018, Message: "该授权码无权限访问", Status: http.StatusOK}
	// ErrCodeExpired: the core still holds the auth_code but its lifetime
	// has ended.
	ErrCodeExpired = &Error{Code: 100020, Message: "授权码已经过期,请重启授权", Status: http.StatusOK}
	// ErrCodeOtherClient: the auth_code was issued to another client.
	ErrCodeOtherClient = &Error{Code: 100021, Message: "授权客户端非法持有授权码", Status: http.StatusOK}
	// ErrCodeOtherUser: the auth_code was issued for another user than the
	// access token's.
	ErrCodeOtherUser = &Error{Code: 100023, Message: "授权用户非法持有授权码", Status: http.StatusOK}
)

// The document's general codes (section 5) that this API answers.
var (
	// ErrUnauthorized: the access token is unknown, revoked, speaks for no
	// user, or its user is disabled.
	ErrUnauthorized = &Error{Code: 401, Message: "未授权", Status: http.StatusOK}
	// ErrInvalidParameter: a parameter is missing or malformed, p_ does not
	// match t_, or t_ is outside the timestamp window. Each case carries
	// its own message (see the invalid* values).
	ErrInvalidParameter = &Error{Code: 601, Message: "参数非法", Status: http.StatusOK}
	// ErrEmpty: the user belongs to no company.
	ErrEmpty = &Error{Code: 602, Message: "内容为空", Status: http.StatusOK}
	// ErrInternal: anything else. The cause goes to the log, never to the
	// partner.
	ErrInternal = &Error{Code: 500, Message: "服务内部错误", Status: http.StatusInternalServerError}
)

// The cases of ErrInvalidParameter.
var (
	invalidQuery       = ErrInvalidParameter.withMessage("参数非法,查询串无法解析")
	missingTimestamp   = ErrInvalidParameter.withMessage("参数非法,缺少 t_")
	invalidTimestamp   = ErrInvalidParameter.withMessage("参数非法,t_ 不是毫秒时间戳")
	missingProof       = ErrInvalidParameter.withMessage("参数非法,缺少 p_")
	invalidProof       = ErrInvalidParameter.withMessage("参数非法,p_ 校验失败")
	staleTimestamp     = ErrInvalidParameter.withMessage("参数非法,t_ 与服务器时间相差过大")
	missingAccessToken = ErrInvalidParameter.withMessage("参数非法,缺少 access_token")
	missingAuthCode    = ErrInvalidParameter.withMessage("参数非法,缺少 auth_code")
)

func (e *Error) Error() string {
	return "partner: " + strconv.Itoa(e.Code) + " " + e.Message
}

// Is matches any *Error with the same code, so errors.Is(err,
// ErrInvalidParameter) holds for each of its cases.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Unwrap returns the cause kept for the log.
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) withMessage(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}

// withCause returns a copy of e remembering cause for the log.
func (e *Error) withCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// asError returns the table entry err stands for: err itself when it is
// an *Error, ErrInternal (with err as its cause) otherwise.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal.withCause(err)
}
