/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_LIMITS_H
#define GS_LIMITS_H

/* Every input and buffer has a named cap, here and nowhere else. */

#define GS_MAX_PARTIES 8              /* parties in one agreement */
#define GS_MAX_CODE 8                 /* party code, incl. NUL (ISO alpha-3) */
#define GS_MAX_ID 64                  /* agreement / item / person ids, incl. NUL */
#define GS_MAX_NAME 256               /* names, titles' short forms, incl. NUL */
#define GS_MAX_TITLE 512              /* agreement title, incl. NUL */
#define GS_MAX_LABEL 80               /* one classification label in bytes, incl. NUL */
#define GS_MAX_SCHEME_LEVELS 12       /* levels in one national scheme */
#define GS_MAX_ANNEX_VERSIONS 6       /* versions of the equivalence annex */
#define GS_MAX_ANNEX_ROWS 10          /* rows in one annex version */
#define GS_MAX_LABELS_PER_CELL 4      /* labels one party has for one row */
#define GS_MAX_NEVER 16               /* labels that may never be released */
#define GS_MAX_SCOPE 16               /* purposes or topics in scope */
#define GS_MAX_RELIES_ON 8            /* agreements an arrangement relies on */
#define GS_MAX_NOTES 1024             /* diplomatic notes in one agreement's history */
#define GS_MAX_AGREEMENT_BYTES 65536  /* an agreement definition file */
#define GS_MAX_NOTE_BYTES 65536       /* a signed note, text and signatures */
#define GS_MAX_NOTE_SIGS 32           /* signature lines in one signed note */
#define GS_MAX_LINE 2048              /* one line of any text format */
#define GS_MAX_NATIONALITIES 4        /* nationalities of one person */
#define GS_MAX_DUTIES 16              /* need-to-know entries of one person */
#define GS_MAX_ROLES 8                /* roles of one person */
#define GS_MAX_PASSPHRASE 1024        /* passphrase bytes */
#define GS_MAX_PROOF_HASHES 63        /* hashes in one inclusion or consistency proof */
#define GS_MAX_KEYFILE_BYTES 4096     /* a sealed key file */
#define GS_MAX_KDF_OPS 4              /* Argon2id passes a key file may ask for (SENSITIVE) */
#define GS_MAX_KDF_MEM (256u << 20)   /* Argon2id bytes a key file may ask for (MODERATE) */
#define GS_MAX_POLICY_URI 128         /* a security policy's urn:oid: URI, incl. NUL */

/* paths: a node's home, and any path buffer (a home, '/', a name within it;
 * an output file a command names). Not a format's cap: nothing on disk or
 * on the wire holds a path. */
#define GS_HOME_MAX 4096              /* a home's path, incl. NUL (a home is refused from GS_HOME_MAX - 64) */
#define GS_PATH_MAX (GS_HOME_MAX + 512) /* any path buffer, incl. NUL */

/* STANAG 4774 labels, 4778 bindings and XML SPIFs (core/label.h, xml/, docs/labels.md) */
#define GS_MAX_LABEL_XML (64u << 10)  /* bytes of one confidentiality label file */
#define GS_MAX_BINDING_XML (256u << 10) /* bytes of one binding file */
#define GS_MAX_SPIF_XML (1u << 20)    /* bytes of one SPIF */
#define GS_MAX_LABEL_CATEGORIES 8     /* categories in one label */
#define GS_MAX_CATEGORY_VALUES 16     /* values in one category */
#define GS_MAX_ALT_LABELS 8           /* alternative labels in one binding */
#define GS_MAX_SPIF_CLASSES 32        /* classifications in one SPIF */
#define GS_MAX_SPIF_EQUIVS 16         /* equivalent classifications of one classification */
#define GS_MAX_SPIF_POLICIES 16       /* equivalent policies one SPIF names */

/* people, facilities, holdings, consents and decisions (core/person.h, core/decide.h) */
#define GS_MAX_REGISTER 2048          /* persons on one facility register */
#define GS_MAX_MARK_LABELS 4          /* labels one holding shows */
#define GS_DECISION_ARGS 4            /* values a decision keeps for its sentence */
#define GS_DECISION_ARG 256           /* bytes of one such value, incl. NUL */
#define GS_MAX_VISIT_PERSONS 16       /* persons one visit request names (core/visit.h) */
#define GS_MAX_PARTY_KEYS 8           /* signing keys of one party's history (core/keyhistory.h) */

/* the ledger (node/ledger.h, docs/ledger.md) */
#define GS_MAX_LEDGER_ENTRY 8192      /* bytes of one encoded ledger entry */
#define GS_MAX_LEDGER_FIELDS 16       /* key/value fields in one entry's body */
#define GS_MAX_LEDGER_KEY 32          /* bytes of one field key, incl. NUL */
#define GS_MAX_LEDGER_PROOF (96u << 10) /* bytes of one proof file */
#define GS_MAX_EXPORT_TEXT (1u << 30) /* bytes of one export built in memory: audit CSV, report CSV or HTML */
/* age v1 files and bundles (crypto/age.h, crypto/bundle.h) */
#define GS_AGE_MAX_HEADER 16384       /* bytes of an age header, MAC line included */
#define GS_AGE_MAX_STANZAS 8          /* recipient stanzas in one age header */
#define GS_AGE_MAX_ARGS 8             /* arguments of one stanza, type included */
#define GS_AGE_MAX_BODY 512           /* decoded body bytes of one stanza */
#define GS_BUNDLE_MAX_MANIFEST 8192   /* a signed bundle manifest, signatures included */
#define GS_BUNDLE_MAX_FIELD 512       /* one manifest value, incl. NUL */
#define GS_BUNDLE_MAX_BANNER 336      /* a banner: up to 4 labels, comma-separated, incl. NUL */
#define GS_BUNDLE_MAX_INNER 2048      /* the inner signed header text */
#define GS_BUNDLE_MAX_CHECK_SECTION (1u << 20) /* chunk-hash section bytes of a bundle checked in pieces (2 GiB of payload) */

/* the local API for persons (net/local_api.h, docs/api.md "Local API") */
#define GS_NET_MAX_LOCAL_BODY (64u << 10) /* bytes of one request body */
#define GS_NET_MAX_UPLOAD (1ull << 30)    /* bytes of one uploaded file (a release, a bundle) */

/* the node-to-node HTTPS API (net/, docs/api.md) */
#define GS_NET_MAX_BODY (4u << 20)     /* bytes of one request body */
#define GS_NET_MAX_REPLY (4u << 20)    /* bytes of one reply a client accepts */
#define GS_NET_MAX_METRICS (4u << 20)  /* bytes of one metrics scrape (GET /metrics) */
#define GS_NET_MAX_KIND 32             /* a delivery's kind, incl. NUL */
#define GS_NET_MAX_CONNECTIONS 256     /* connections a server holds at once */
#define GS_NET_MAX_CONN_MEMORY (256u << 10) /* bytes of headers and buffers per connection: 256 of them hold 64 MiB */
#define GS_NET_TIMEOUT 30              /* seconds a connection may stay idle */
#define GS_NET_MAX_PER_ADDRESS 32      /* connections one client address holds at once (serve --max-per-address) */
#define GS_NET_HEADER_TIMEOUT 10       /* seconds a request's whole header may take to arrive (serve --header-timeout) */
#define GS_NET_MAX_THREADS 64          /* server worker threads */
#define GS_NET_PEER_UPLOADS 16         /* deliveries one peer may have under way at once (serve --peer-uploads) */
#define GS_NET_PEER_BYTES (2ull << 30) /* bytes in them (serve --peer-upload-bytes) */

#endif
