# Installs HPSocket4C (this crate's C library) for C programs: headers, shared and static library,
# pkg-config file.
#
#   make                       build the library: cargo build --release --lib
#   make install               install into PREFIX (default /usr/local):
#                                include/hpsocket/HPTypeDef.h
#                                include/hpsocket/HPSocket4C.h
#                                include/hpsocket/HPSocket4C-SSL.h  (when the library has SSL)
#                                lib/libhpsocket4c.so          (soname libhpsocket4c.so, as upstream's)
#                                lib/libhpsocket4c.a
#                                lib/pkgconfig/hpsocket4c.pc
#                              It first runs cargo build --release --lib (a no-op when up to date),
#                              unless LIBDIR is given.
#   make uninstall             remove exactly those files, and the folders install created (when
#                              they are empty again; install notes them in hpsocket4c.pc)
#
# Variables:
#   PREFIX=/usr/local          where to install (an absolute path; it is written into the .pc file)
#   DESTDIR=                   staging root prepended to every installed path (for packaging);
#                              not written into the .pc file. Give uninstall the same one.
#   LIBDIR=dir                 install the libhpsocket4c.so / .a already built in dir (such as
#                              target/release) and do not run cargo
#   includedir libdir pkgconfigdir   the install folders ($(PREFIX)/include, $(PREFIX)/lib,
#                              $(libdir)/pkgconfig)
#   CARGO=cargo CARGO_TARGET_DIR=    the cargo used to build (when LIBDIR is not given)
#   CARGO_FLAGS=               more cargo build flags: --no-default-features builds without SSL
#                              (no OpenSSL linked; HPSocket4C-SSL.h is then not installed)
#
# Building a program against the installed library:
#   cc app.c $(pkg-config --cflags --libs hpsocket4c)                     (shared)
#   cc app.c $(pkg-config --cflags --libs --static hpsocket4c | sed 's/-lhpsocket4c/-l:libhpsocket4c.a/')
#                                                                         (static: the archive)
# Both #include <HPSocket4C.h> and #include <hpsocket/HPSocket4C.h> work with those flags. For a
# PREFIX the run-time linker does not search, run with LD_LIBRARY_PATH=$(PREFIX)/lib or link
# with -Wl,-rpath,$(PREFIX)/lib.

ROOT    := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PREFIX  ?= /usr/local
DESTDIR ?=
CARGO   ?= cargo
includedir   ?= $(PREFIX)/include
libdir       ?= $(PREFIX)/lib
pkgconfigdir ?= $(libdir)/pkgconfig
hdrdir       := $(includedir)/hpsocket
VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' '$(ROOT)/Cargo.toml' | head -n1)

ifeq ($(origin LIBDIR),undefined)
TARGET_DIR := $(if $(CARGO_TARGET_DIR),$(abspath $(CARGO_TARGET_DIR)),$(ROOT)/target)
LIBDIR     := $(TARGET_DIR)/release
BUILD      := build
else
BUILD      :=
endif

# The .pc file says ${prefix}/... for folders under PREFIX.
pc_libdir     := $(patsubst $(PREFIX)/%,$${prefix}/%,$(libdir))
pc_includedir := $(patsubst $(PREFIX)/%,$${prefix}/%,$(includedir))
PC            := $(DESTDIR)$(pkgconfigdir)/hpsocket4c.pc
CREATED_TAG   := \# make uninstall removes these folders when empty (make install created them):

all: $(BUILD)

build:
	@if command -v '$(CARGO)' >/dev/null 2>&1; then \
	  echo "cd $(ROOT) && CARGO_TARGET_DIR=$(TARGET_DIR) $(CARGO) build --release --lib $(CARGO_FLAGS)"; \
	  cd '$(ROOT)' && CARGO_TARGET_DIR='$(TARGET_DIR)' '$(CARGO)' build --release --lib $(CARGO_FLAGS); \
	elif [ -f '$(LIBDIR)/libhpsocket4c.so' ] && [ -f '$(LIBDIR)/libhpsocket4c.a' ]; then \
	  echo "$(CARGO) not found: using the library already built in $(LIBDIR)" >&2; \
	else \
	  echo "$(CARGO) not found and $(LIBDIR) holds no built library (cargo build --release, or LIBDIR=)" >&2; exit 1; \
	fi

check-prefix:
	@case '$(PREFIX)' in /*) ;; *) echo "PREFIX must be an absolute path (got '$(PREFIX)')" >&2; exit 1;; esac

install: check-prefix $(BUILD)
	@set -e; \
	for f in '$(LIBDIR)/libhpsocket4c.so' '$(LIBDIR)/libhpsocket4c.a' '$(ROOT)/include/HPTypeDef.h' '$(ROOT)/include/HPSocket4C.h'; do \
	  [ -f "$$f" ] || { echo "install: $$f is missing (cargo build --release --lib, or LIBDIR=)" >&2; exit 1; }; \
	done; \
	created=$$(sed -n 's/^$(CREATED_TAG) *//p' '$(PC)' 2>/dev/null || true); \
	for d in '$(hdrdir)' '$(libdir)' '$(pkgconfigdir)'; do \
	  p="$$d"; \
	  while [ "$$p" != / ] && [ ! -d '$(DESTDIR)'"$$p" ]; do created="$$created $$p"; p=$$(dirname "$$p"); done; \
	  mkdir -p '$(DESTDIR)'"$$d"; \
	done; \
	created=$$(printf '%s\n' $$created | sort -u | tr '\n' ' '); \
	echo "install $(DESTDIR)$(hdrdir)/HPTypeDef.h HPSocket4C.h"; \
	install -m 644 '$(ROOT)/include/HPTypeDef.h' '$(ROOT)/include/HPSocket4C.h' '$(DESTDIR)$(hdrdir)/'; \
	ssl_libs=; \
	if nm -D --defined-only '$(LIBDIR)/libhpsocket4c.so' | grep -q ' Create_HP_SSLServer$$'; then \
	  echo "install $(DESTDIR)$(hdrdir)/HPSocket4C-SSL.h"; \
	  install -m 644 '$(ROOT)/include/HPSocket4C-SSL.h' '$(DESTDIR)$(hdrdir)/'; \
	  ssl_libs='-lssl -lcrypto'; \
	else rm -f '$(DESTDIR)$(hdrdir)/HPSocket4C-SSL.h'; fi; \
	echo "install $(DESTDIR)$(libdir)/libhpsocket4c.so libhpsocket4c.a"; \
	install -m 755 '$(LIBDIR)/libhpsocket4c.so' '$(DESTDIR)$(libdir)/libhpsocket4c.so'; \
	install -m 644 '$(LIBDIR)/libhpsocket4c.a' '$(DESTDIR)$(libdir)/libhpsocket4c.a'; \
	echo "install $(PC)"; \
	{ echo '$(CREATED_TAG)' $$created; \
	  sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(pc_libdir)|' -e 's|@includedir@|$(pc_includedir)|' \
	      -e 's|@VERSION@|$(VERSION)|' -e "s|@SSL_LIBS@|$$ssl_libs|" '$(ROOT)/pkgconfig/hpsocket4c.pc.in'; } > '$(PC).tmp'; \
	chmod 644 '$(PC).tmp'; mv -f '$(PC).tmp' '$(PC)'

uninstall: check-prefix
	@set -e; \
	created=$$(sed -n 's/^$(CREATED_TAG) *//p' '$(PC)' 2>/dev/null || true); \
	for f in '$(DESTDIR)$(hdrdir)/HPTypeDef.h' '$(DESTDIR)$(hdrdir)/HPSocket4C.h' '$(DESTDIR)$(hdrdir)/HPSocket4C-SSL.h' \
	         '$(DESTDIR)$(libdir)/libhpsocket4c.so' '$(DESTDIR)$(libdir)/libhpsocket4c.a' '$(PC)'; do \
	  if [ -e "$$f" ] || [ -L "$$f" ]; then echo "rm $$f"; rm -f "$$f"; fi; \
	done; \
	for d in $$(printf '%s\n' $$created | awk 'NF { print length($$0), $$0 }' | sort -rn | cut -d' ' -f2-); do \
	  if [ -d '$(DESTDIR)'"$$d" ] && rmdir '$(DESTDIR)'"$$d" 2>/dev/null; then echo "rmdir $(DESTDIR)$$d"; fi; \
	done

.PHONY: all build check-prefix install uninstall

# The API reference from the headers' comments (needs doxygen): target/docs/api/index.html
docs:
	$(MAKE) -C $(ROOT)/docs

.PHONY: docs
