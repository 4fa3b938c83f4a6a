/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "crypto/tls.h"
#include "util/err.h"
#include "util/limits.h"

/* A P-256 certificate made by openssl; the pin is what
 *   openssl x509 -pubkey -noout | openssl pkey -pubin -outform der |
 *   openssl dgst -sha256 -binary | base64
 * prints, and what curl --pinnedpubkey takes. */
static const char ka_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBhjCCASugAwIBAgIURmovQ6nON9wmOJqSrJpUbxdKvYkwCgYIKoZIzj0EAwIw\n"
	"FzEVMBMGA1UEAwwMa25vd24gYW5zd2VyMCAXDTI2MTEyOTE2MjIxM1oYDzIxMjYx\n"
	"MTA1MTYyMjEzWjAXMRUwEwYDVQQDDAxrbm93biBhbnN3ZXIwWTATBgcqhkjOPQIB\n"
	"BggqhkjOPQMBBwNCAAR2IKSbQimxhSbBhyqwa2rrcRyac6vczzsl32wbYS+lM+2F\n"
	"QCLPZbAn23rCb2V1Fj5m6D0aew3U476KliEcFEJpo1MwUTAdBgNVHQ4EFgQUFdtt\n"
	"t3PKSm8Z3Im666SIApwmewEwHwYDVR0jBBgwFoAUFdttt3PKSm8Z3Im666SIApwm\n"
	"ewEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAx8oigrimKfjl\n"
	"atmCRT4PNgHvdVyNzWLdgFc2MR5a2XkCIQCkB4oT95qVIPQTmkOD20Z7HelSEW54\n"
	"ZajtsEEjaEWdaw==\n"
	"-----END CERTIFICATE-----\n";
static const char ka_pin[] = "sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY=";

static void test_pin_pem(void **state)
{
	char pin[GS_MAX_NAME];

	(void)state;
	assert_int_equal(tls_pin_of_cert_pem((const uint8_t *)ka_pem, strlen(ka_pem), pin, NULL), 0);
	assert_string_equal(pin, ka_pin);
	assert_int_equal(strlen(pin), TLS_PIN_LEN);
	assert_true(tls_pin_is_valid(pin));
}

/* The DER form gives the same pin. */
static void test_pin_der(void **state)
{
	char b64[1024], pin[GS_MAX_NAME];
	uint8_t der[1024];
	size_t n = 0, derlen;
	const char *p;

	(void)state;
	for (p = strchr(ka_pem, '\n') + 1; *p != '-'; p++)
		if (*p != '\n')
			b64[n++] = *p;
	b64[n] = 0;
	assert_int_equal(sodium_base642bin(der, sizeof(der), b64, n, NULL, &derlen, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(tls_pin_of_cert_der(der, derlen, pin, NULL), 0);
	assert_string_equal(pin, ka_pin);
	/* One flipped bit in the public key (the EC point 04 76 20 a4 ...)
	 * changes the pin, or makes the point invalid. */
	p = memmem(der, derlen, "\x04\x76\x20\xa4", 4);
	assert_non_null(p);
	der[(const uint8_t *)p - der + 10] ^= 1;
	if (tls_pin_of_cert_der(der, derlen, pin, NULL) == 0)
		assert_string_not_equal(pin, ka_pin);
}

static void test_not_a_cert(void **state)
{
	struct gs_diag d = { { 0 } };
	char pin[GS_MAX_NAME];

	(void)state;
	assert_int_equal(tls_pin_of_cert_pem((const uint8_t *)"hello", 5, pin, &d), GS_EINVAL);
	assert_non_null(strstr(d.msg, "X.509"));
	assert_int_equal(tls_pin_of_cert_der((const uint8_t *)"\x30\x03\x02\x01\x00", 5, pin, NULL),
			 GS_EINVAL);
	assert_int_equal(tls_pin_of_cert_der((const uint8_t *)"", 0, pin, NULL), GS_EINVAL);
}

static void test_pin_is_valid(void **state)
{
	(void)state;
	assert_true(tls_pin_is_valid(ka_pin));
	assert_false(tls_pin_is_valid("sha256//"));
	assert_false(tls_pin_is_valid("sha1//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY="));
	assert_false(tls_pin_is_valid("sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXrY"));
	assert_false(tls_pin_is_valid("sha256//kxnQhNXSnVYlLSirIcDMICkGeDvgUPqv7PVJKwdDXr!="));
}

/* A fresh identity: two files, the key private, its pin read back. */
static void test_create(void **state)
{
	char dir[] = "/tmp/gsomia-tls-XXXXXX", path[128], pin[GS_MAX_NAME], again[GS_MAX_NAME];
	char other[GS_MAX_NAME];
	struct gs_diag d = { { 0 } };
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(tls_identity_create(dir, pin, &d), 0);
	assert_true(tls_pin_is_valid(pin));
	snprintf(path, sizeof(path), "%s/%s", dir, TLS_KEY_NAME);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tls_identity_pin(dir, again, &d), 0);
	assert_string_equal(again, pin);
	/* An existing identity is never replaced. */
	assert_int_equal(tls_identity_create(dir, other, &d), GS_EEXIST);
	assert_int_equal(tls_identity_pin(dir, again, &d), 0);
	assert_string_equal(again, pin);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, TLS_CRT_NAME);
	unlink(path);
	/* A second identity has another key. */
	assert_int_equal(tls_identity_create(dir, other, &d), 0);
	assert_string_not_equal(other, pin);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, TLS_KEY_NAME);
	unlink(path);
	assert_int_equal(tls_identity_pin(dir, again, &d), GS_ENOTFOUND);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_pem),
		cmocka_unit_test(test_pin_der),
		cmocka_unit_test(test_not_a_cert),
		cmocka_unit_test(test_pin_is_valid),
		cmocka_unit_test(test_create),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
