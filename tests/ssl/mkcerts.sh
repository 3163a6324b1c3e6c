#!/bin/sh
# Makes the TLS tests' certificates in folder $1 with the openssl CLI:
#   ca.pem / ca.key          a test CA
#   server.pem / server.key  CN=localhost (SAN localhost, 127.0.0.1), signed by the CA
#   alt.pem / alt.key        CN=alt.test (SAN alt.test, *.alt.test), signed by the CA
#   client.pem / client.key  CN=hp-client, a client certificate signed by the CA
#   enc.key                  server.key encrypted with the password "hpsocket" (AES-256)
#   other-ca.pem             an unrelated CA (a wrong CA for verification)
#   cadir/                   ca.pem in a hashed directory (c_rehash layout)
set -eu
d=$1
mkdir -p "$d"
cd "$d"
[ -f done ] && exit 0
days=30
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days -subj "/CN=hpsocket4c test CA" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days $days -subj "/CN=another CA" 2>/dev/null
leaf() { # name cn san ext
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days $days -extfile "$1.ext" 2>/dev/null
}
leaf server localhost "DNS:localhost,IP:127.0.0.1" serverAuth
leaf alt alt.test "DNS:alt.test,DNS:*.alt.test" serverAuth
leaf client hp-client "DNS:hp-client" clientAuth
openssl pkey -in server.key -aes256 -passout pass:hpsocket -out enc.key
mkdir -p cadir
cp ca.pem cadir/
h=$(openssl x509 -hash -noout -in ca.pem)
ln -sf ca.pem "cadir/$h.0"
touch done
