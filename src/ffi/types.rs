//! HPTypeDef: the scalar, pointer, enum and struct types of upstream's `HPTypeDef.h`.
//! Every item here is emitted into `include/HPTypeDef.h` by build.rs.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types, non_snake_case, clippy::upper_case_acronyms, dead_code)]

use std::os::raw::{c_char, c_double, c_float, c_int, c_long, c_longlong, c_short, c_uchar, c_uint, c_ulong, c_ulonglong, c_ushort, c_void};

pub const HP_VERSION_MAJOR: u32 = 6;
pub const HP_VERSION_MINOR: u32 = 0;
pub const HP_VERSION_REVISE: u32 = 7;
pub const HP_VERSION_BUILD: u32 = 1;

pub type VOID = c_void;
pub type BOOL = c_int;
pub type BYTE = c_uchar;
pub type CHAR = c_char;
pub type TCHAR = c_char;
pub type WCHAR = libc::wchar_t;
pub type SHORT = c_short;
pub type USHORT = c_ushort;
pub type WORD = c_ushort;
pub type INT = c_int;
pub type UINT = c_uint;
pub type DWORD = c_uint;
pub type LONG = c_long;
pub type ULONG = c_ulong;
pub type LLONG = c_longlong;
pub type ULLONG = c_ulonglong;
pub type LONGLONG = c_longlong;
pub type ULONGLONG = c_ulonglong;
pub type FLOAT = c_float;
pub type DOUBLE = c_double;
pub type INT8 = c_char;
pub type UINT8 = c_uchar;
pub type INT16 = c_short;
pub type UINT16 = c_ushort;
pub type INT32 = c_int;
pub type UINT32 = c_uint;
pub type INT64 = c_longlong;
pub type UINT64 = c_ulonglong;
pub type INT_PTR = c_long;
pub type UINT_PTR = c_ulong;
pub type LONG_PTR = c_long;
pub type ULONG_PTR = c_ulong;
pub type DWORD_PTR = c_ulong;
pub type SIZE_T = c_ulong;
pub type SSIZE_T = c_long;
pub type WPARAM = c_ulong;
pub type LPARAM = c_long;
pub type LRESULT = c_int;
pub type HRESULT = c_int;
pub type HANDLE = c_int;
pub type SOCKET = c_int;
pub type FD = c_int;
pub type LID = c_long;
pub type ULID = c_ulong;
pub type IID = c_int;
pub type UIID = c_uint;
pub type NTHR_ID = c_long;
pub type THR_ID = c_ulong;
pub type CONNID = ULID;
pub type HP_CONNID = ULID;
pub type PVOID = *mut VOID;
pub type LPVOID = *mut VOID;
pub type PBYTE = *mut BYTE;
pub type LPBYTE = *mut BYTE;
pub type PCBYTE = *const BYTE;
pub type LPCBYTE = *const BYTE;
pub type PCHAR = *mut CHAR;
pub type LPCHAR = *mut CHAR;
pub type PSTR = *mut CHAR;
pub type LPSTR = *mut CHAR;
pub type PCSTR = *const CHAR;
pub type LPCSTR = *const CHAR;
pub type PTSTR = *mut TCHAR;
pub type LPTSTR = *mut TCHAR;
pub type PCTSTR = *const TCHAR;
pub type LPCTSTR = *const TCHAR;
pub type PWSTR = *mut WCHAR;
pub type LPWSTR = *mut WCHAR;
pub type PCWSTR = *const WCHAR;
pub type LPCWSTR = *const WCHAR;
pub type PSHORT = *mut SHORT;
pub type LPSHORT = *mut SHORT;
pub type PUSHORT = *mut USHORT;
pub type LPUSHORT = *mut USHORT;
pub type PWORD = *mut WORD;
pub type LPWORD = *mut WORD;
pub type PINT = *mut INT;
pub type LPINT = *mut INT;
pub type PUINT = *mut UINT;
pub type LPUINT = *mut UINT;
pub type PDWORD = *mut DWORD;
pub type LPDWORD = *mut DWORD;
pub type PLONG = *mut LONG;
pub type LPLONG = *mut LONG;
pub type PULONG = *mut ULONG;
pub type LPULONG = *mut ULONG;
pub type PLLONG = *mut LLONG;
pub type LPLLONG = *mut LLONG;
pub type PULLONG = *mut ULLONG;
pub type LPULLONG = *mut ULLONG;
pub type PLONGLONG = *mut LONGLONG;
pub type LPLONGLONG = *mut LONGLONG;
pub type PULONGLONG = *mut ULONGLONG;
pub type LPULONGLONG = *mut ULONGLONG;
pub type PFLOAT = *mut FLOAT;
pub type LPFLOAT = *mut FLOAT;
pub type PDOUBLE = *mut DOUBLE;
pub type LPDOUBLE = *mut DOUBLE;
/// UTC seconds since 1970, as upstream's `GlobalDef.h` defines it (the cookie helpers use it).
pub type __time64_t = LLONG;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnServiceState {
    SS_STARTING = 0,
    SS_STARTED = 1,
    SS_STOPPING = 2,
    SS_STOPPED = 3,
}
pub type En_HP_ServiceState = EnServiceState;
/// An `En_HP_ServiceState` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceStateArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnSocketOperation {
    SO_UNKNOWN = 0,
    SO_ACCEPT = 1,
    SO_CONNECT = 2,
    SO_SEND = 3,
    SO_RECEIVE = 4,
    SO_CLOSE = 5,
}
pub type En_HP_SocketOperation = EnSocketOperation;
/// An `En_HP_SocketOperation` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketOperationArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnHandleResult {
    HR_OK = 0,
    HR_IGNORE = 1,
    HR_ERROR = 2,
}
pub type En_HP_HandleResult = EnHandleResult;
/// An `En_HP_HandleResult` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleResultArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnFetchResult {
    FR_OK = 0,
    FR_LENGTH_TOO_LONG = 1,
    FR_DATA_NOT_FOUND = 2,
}
pub type En_HP_FetchResult = EnFetchResult;
/// An `En_HP_FetchResult` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchResultArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnSendPolicy {
    SP_PACK = 0,
    SP_SAFE = 1,
    SP_DIRECT = 2,
}
pub type En_HP_SendPolicy = EnSendPolicy;
/// An `En_HP_SendPolicy` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendPolicyArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnOnSendSyncPolicy {
    OSSP_NONE = 0,
    OSSP_CLOSE = 1,
    OSSP_RECEIVE = 2,
}
pub type En_HP_OnSendSyncPolicy = EnOnSendSyncPolicy;
/// An `En_HP_OnSendSyncPolicy` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnSendSyncPolicyArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnReuseAddressPolicy {
    RAP_NONE = 0,
    RAP_ADDR_ONLY = 1,
    RAP_ADDR_AND_PORT = 2,
}
pub type En_HP_ReuseAddressPolicy = EnReuseAddressPolicy;
/// An `En_HP_ReuseAddressPolicy` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReuseAddressPolicyArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnSocketError {
    SE_OK = 0,
    SE_ILLEGAL_STATE = 1,
    SE_INVALID_PARAM = 2,
    SE_SOCKET_CREATE = 3,
    SE_SOCKET_BIND = 4,
    SE_SOCKET_PREPARE = 5,
    SE_SOCKET_LISTEN = 6,
    SE_CP_CREATE = 7,
    SE_WORKER_THREAD_CREATE = 8,
    SE_DETECT_THREAD_CREATE = 9,
    SE_SOCKE_ATTACH_TO_CP = 10,
    SE_CONNECT_SERVER = 11,
    SE_NETWORK = 12,
    SE_DATA_PROC = 13,
    SE_DATA_SEND = 14,
    SE_GC_START = 15,
    SE_SSL_ENV_NOT_READY = 101,
}
pub type En_HP_SocketError = EnSocketError;
/// An `En_HP_SocketError` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketErrorArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnCastMode {
    CM_UNICAST = -1,
    CM_MULTICAST = 0,
    CM_BROADCAST = 1,
}
pub type En_HP_CastMode = EnCastMode;
/// An `En_HP_CastMode` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CastModeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnIPAddrType {
    IPT_ALL = 0,
    IPT_IPV4 = 1,
    IPT_IPV6 = 2,
}
pub type En_HP_IPAddrType = EnIPAddrType;
/// An `En_HP_IPAddrType` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IPAddrTypeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnRejectedPolicy {
    TRP_CALL_FAIL = 0,
    TRP_WAIT_FOR = 1,
    TRP_CALLER_RUN = 2,
}
pub type En_HP_RejectedPolicy = EnRejectedPolicy;
/// An `En_HP_RejectedPolicy` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RejectedPolicyArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnTaskBufferType {
    TBT_COPY = 0,
    TBT_REFER = 1,
    TBT_ATTACH = 2,
}
pub type En_HP_TaskBufferType = EnTaskBufferType;
/// An `En_HP_TaskBufferType` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskBufferTypeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnSSLSessionMode {
    SSL_SM_CLIENT = 0,
    SSL_SM_SERVER = 1,
}
pub type En_HP_SSLSessionMode = EnSSLSessionMode;
/// An `En_HP_SSLSessionMode` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SSLSessionModeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnSSLVerifyMode {
    SSL_VM_NONE = 0,
    SSL_VM_PEER = 1,
    SSL_VM_FAIL_IF_NO_PEER_CERT = 2,
    SSL_VM_CLIENT_ONCE = 4,
}
pub type En_HP_SSLVerifyMode = EnSSLVerifyMode;
/// An `En_HP_SSLVerifyMode` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SSLVerifyModeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnSSLSessionInfo {
    SSL_SSI_CTX = 0,
    SSL_SSI_CTX_METHOD = 1,
    SSL_SSI_CTX_CIPHERS = 2,
    SSL_SSI_CTX_CERT_STORE = 3,
    SSL_SSI_SERVER_NAME_TYPE = 4,
    SSL_SSI_SERVER_NAME = 5,
    SSL_SSI_VERSION = 6,
    SSL_SSI_METHOD = 7,
    SSL_SSI_CERT = 8,
    SSL_SSI_PKEY = 9,
    SSL_SSI_CURRENT_CIPHER = 10,
    SSL_SSI_CIPHERS = 11,
    SSL_SSI_CLIENT_CIPHERS = 12,
    SSL_SSI_PEER_CERT = 13,
    SSL_SSI_PEER_CERT_CHAIN = 14,
    SSL_SSI_VERIFIED_CHAIN = 15,
}
pub type En_HP_SSLSessionInfo = EnSSLSessionInfo;
/// An `En_HP_SSLSessionInfo` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SSLSessionInfoArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnHttpVersion {
    HV_1_0 = 1,
    HV_1_1 = 257,
}
pub type En_HP_HttpVersion = EnHttpVersion;
/// An `En_HP_HttpVersion` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpVersionArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnHttpUrlField {
    HUF_SCHEMA = 0,
    HUF_HOST = 1,
    HUF_PORT = 2,
    HUF_PATH = 3,
    HUF_QUERY = 4,
    HUF_FRAGMENT = 5,
    HUF_USERINFO = 6,
    HUF_MAX = 7,
}
pub type En_HP_HttpUrlField = EnHttpUrlField;
/// An `En_HP_HttpUrlField` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpUrlFieldArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnHttpParseResult {
    HPR_OK = 0,
    HPR_SKIP_BODY = 1,
    HPR_UPGRADE = 2,
    HPR_ERROR = -1,
}
pub type En_HP_HttpParseResult = EnHttpParseResult;
/// An `En_HP_HttpParseResult` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpParseResultArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnHttpUpgradeType {
    HUT_NONE = 0,
    HUT_WEB_SOCKET = 1,
    HUT_HTTP_TUNNEL = 2,
    HUT_UNKNOWN = -1,
}
pub type En_HP_HttpUpgradeType = EnHttpUpgradeType;
/// An `En_HP_HttpUpgradeType` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpUpgradeTypeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnHttpStatusCode {
    HSC_CONTINUE = 100,
    HSC_SWITCHING_PROTOCOLS = 101,
    HSC_PROCESSING = 102,
    HSC_EARLY_HINTS = 103,
    HSC_RESPONSE_IS_STALE = 110,
    HSC_REVALIDATION_FAILED = 111,
    HSC_DISCONNECTED_OPERATION = 112,
    HSC_HEURISTIC_EXPIRATION = 113,
    HSC_MISCELLANEOUS_WARNING = 199,
    HSC_OK = 200,
    HSC_CREATED = 201,
    HSC_ACCEPTED = 202,
    HSC_NON_AUTHORITATIVE_INFORMATION = 203,
    HSC_NO_CONTENT = 204,
    HSC_RESET_CONTENT = 205,
    HSC_PARTIAL_CONTENT = 206,
    HSC_MULTI_STATUS = 207,
    HSC_ALREADY_REPORTED = 208,
    HSC_TRANSFORMATION_APPLIED = 214,
    HSC_IM_USED = 226,
    HSC_MISCELLANEOUS_PERSISTENT_WARNING = 299,
    HSC_MULTIPLE_CHOICES = 300,
    HSC_MOVED_PERMANENTLY = 301,
    HSC_MOVED_TEMPORARILY = 302,
    HSC_SEE_OTHER = 303,
    HSC_NOT_MODIFIED = 304,
    HSC_USE_PROXY = 305,
    HSC_SWITCH_PROXY = 306,
    HSC_TEMPORARY_REDIRECT = 307,
    HSC_PERMANENT_REDIRECT = 308,
    HSC_BAD_REQUEST = 400,
    HSC_UNAUTHORIZED = 401,
    HSC_PAYMENT_REQUIRED = 402,
    HSC_FORBIDDEN = 403,
    HSC_NOT_FOUND = 404,
    HSC_METHOD_NOT_ALLOWED = 405,
    HSC_NOT_ACCEPTABLE = 406,
    HSC_PROXY_AUTHENTICATION_REQUIRED = 407,
    HSC_REQUEST_TIMEOUT = 408,
    HSC_CONFLICT = 409,
    HSC_GONE = 410,
    HSC_LENGTH_REQUIRED = 411,
    HSC_PRECONDITION_FAILED = 412,
    HSC_REQUEST_ENTITY_TOO_LARGE = 413,
    HSC_REQUEST_URI_TOO_LONG = 414,
    HSC_UNSUPPORTED_MEDIA_TYPE = 415,
    HSC_REQUESTED_RANGE_NOT_SATISFIABLE = 416,
    HSC_EXPECTATION_FAILED = 417,
    HSC_IM_A_TEAPOT = 418,
    HSC_PAGE_EXPIRED = 419,
    HSC_ENHANCE_YOUR_CALM = 420,
    HSC_MISDIRECTED_REQUEST = 421,
    HSC_UNPROCESSABLE_ENTITY = 422,
    HSC_LOCKED = 423,
    HSC_FAILED_DEPENDENCY = 424,
    HSC_UNORDERED_COLLECTION = 425,
    HSC_UPGRADE_REQUIRED = 426,
    HSC_PRECONDITION_REQUIRED = 428,
    HSC_TOO_MANY_REQUESTS = 429,
    HSC_REQUEST_HEADER_FIELDS_TOO_LARGE_UNOFFICIAL = 430,
    HSC_REQUEST_HEADER_FIELDS_TOO_LARGE = 431,
    HSC_LOGIN_TIMEOUT = 440,
    HSC_NO_RESPONSE = 444,
    HSC_RETRY_WITH = 449,
    HSC_BLOCKED_BY_PARENTAL_CONTROL = 450,
    HSC_UNAVAILABLE_FOR_LEGAL_REASONS = 451,
    HSC_CLIENT_CLOSED_LOAD_BALANCED_REQUEST = 460,
    HSC_INVALID_X_FORWARDED_FOR = 463,
    HSC_REQUEST_HEADER_TOO_LARGE = 494,
    HSC_SSL_CERTIFICATE_ERROR = 495,
    HSC_SSL_CERTIFICATE_REQUIRED = 496,
    HSC_HTTP_REQUEST_SENT_TO_HTTPS_PORT = 497,
    HSC_INVALID_TOKEN = 498,
    HSC_CLIENT_CLOSED_REQUEST = 499,
    HSC_INTERNAL_SERVER_ERROR = 500,
    HSC_NOT_IMPLEMENTED = 501,
    HSC_BAD_GATEWAY = 502,
    HSC_SERVICE_UNAVAILABLE = 503,
    HSC_GATEWAY_TIMEOUT = 504,
    HSC_HTTP_VERSION_NOT_SUPPORTED = 505,
    HSC_VARIANT_ALSO_NEGOTIATES = 506,
    HSC_INSUFFICIENT_STORAGE = 507,
    HSC_LOOP_DETECTED = 508,
    HSC_BANDWIDTH_LIMIT_EXCEEDED = 509,
    HSC_NOT_EXTENDED = 510,
    HSC_NETWORK_AUTHENTICATION_REQUIRED = 511,
    HSC_WEB_SERVER_UNKNOWN_ERROR = 520,
    HSC_WEB_SERVER_IS_DOWN = 521,
    HSC_CONNECTION_TIMEOUT = 522,
    HSC_ORIGIN_IS_UNREACHABLE = 523,
    HSC_TIMEOUT_OCCURED = 524,
    HSC_SSL_HANDSHAKE_FAILED = 525,
    HSC_INVALID_SSL_CERTIFICATE = 526,
    HSC_RAILGUN_ERROR = 527,
    HSC_SITE_IS_OVERLOADED = 529,
    HSC_SITE_IS_FROZEN = 530,
    HSC_IDENTITY_PROVIDER_AUTHENTICATION_ERROR = 561,
    HSC_NETWORK_READ_TIMEOUT = 598,
    HSC_NETWORK_CONNECT_TIMEOUT = 599,
    HSC_UNPARSEABLE_RESPONSE_HEADERS = 600,
}
pub type En_HP_HttpStatusCode = EnHttpStatusCode;
/// An `En_HP_HttpStatusCode` as it arrives from C: any int, validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpStatusCodeArg(pub c_int);

pub const SSL_SSI_MIN: c_int = 0;
pub const SSL_SSI_MAX: c_int = 15;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TIPAddr {
    pub r#type: En_HP_IPAddrType,
    pub address: LPCTSTR,
}
pub type HP_TIPAddr = TIPAddr;
pub type LPTIPAddr = *mut TIPAddr;
pub type HP_LPTIPAddr = *mut TIPAddr;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct _WSABUF {
    pub len: UINT,
    pub buf: LPBYTE,
}
pub type WSABUF = _WSABUF;
pub type PWSABUF = *mut _WSABUF;
pub type LPWSABUF = *mut _WSABUF;

pub type Fn_TaskProc = Option<unsafe extern "C" fn(pvArg: PVOID)>;
pub type HP_Fn_TaskProc = Fn_TaskProc;
pub type Fn_SocketTaskProc = Option<unsafe extern "C" fn(pTask: *mut TSocketTask)>;
pub type HP_Fn_SocketTaskProc = Fn_SocketTaskProc;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TSocketTask {
    /// Same type as `HP_Fn_SocketTaskProc`, spelled out so the header needs no forward typedef.
    pub r#fn: Option<unsafe extern "C" fn(pTask: *mut TSocketTask)>,
    pub sender: PVOID,
    pub connID: CONNID,
    pub buf: LPCBYTE,
    pub bufLen: INT,
    pub bufType: En_HP_TaskBufferType,
    pub wparam: WPARAM,
    pub lparam: LPARAM,
}
pub type HP_TSocketTask = TSocketTask;
pub type LPTSocketTask = *mut TSocketTask;
pub type HP_LPTSocketTask = *mut TSocketTask;

/// A name/value pair: HTTP headers, cookies and parameters.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TNVPair {
    pub name: LPCSTR,
    pub value: LPCSTR,
}
pub type HP_TNVPair = TNVPair;
pub type TParam = TNVPair;
pub type TCookie = TNVPair;
pub type THeader = TNVPair;
pub type HP_TParam = TNVPair;
pub type HP_TCookie = TNVPair;
pub type HP_THeader = TNVPair;
pub type LPPARAM = *mut TNVPair;
pub type LPCOOKIE = *mut TNVPair;
pub type LPHEADER = *mut TNVPair;
pub type HP_LPPARAM = *mut TNVPair;
pub type HP_LPCOOKIE = *mut TNVPair;
pub type HP_LPHEADER = *mut TNVPair;

pub type Fn_DataCallback = Option<unsafe extern "C" fn(pData: *const BYTE, iLength: c_int, pContext: PVOID) -> BOOL>;
pub type Fn_CompressDataCallback = Fn_DataCallback;
pub type Fn_DecompressDataCallback = Fn_DataCallback;
pub type HP_Fn_DataCallback = Fn_DataCallback;
pub type HP_Fn_CompressDataCallback = Fn_DataCallback;
pub type HP_Fn_DecompressDataCallback = Fn_DataCallback;

pub type Fn_SNI_ServerNameCallback = Option<unsafe extern "C" fn(lpszServerName: LPCTSTR, pContext: PVOID) -> c_int>;
pub type HP_Fn_SNI_ServerNameCallback = Fn_SNI_ServerNameCallback;
