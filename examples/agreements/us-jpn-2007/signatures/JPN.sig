gsomia-agreement/v1
# United States-Japan GSOMIA, signed in Tokyo on 10 August 2007. US TOP
# SECRET, SECRET and CONFIDENTIAL are recognised as equivalent to Japan's
# top three categories (verified). The exact Japanese labels, the term
# and the notice rules are NOT verified against the treaty text.
id: US-JPN-2007
title: Agreement between the Government of Japan and the Government of the United States of America concerning Security Measures for the Protection of Classified Military Information
kind: agreement
version: 1
parties: USA JPN
zone: +09:00
signed: 2007-08-10
entry-into-force: on-signature     # unverified
term: indefinite                   # unverified
notice: 90 days                    # unverified: period after receipt of the notice
suspension: strict-treaty
marking: recipient-converts        # unverified
nationality: holder-only
dual-nationals: refuse
psc-required-from: all
receipts-from: all
purposes: any
topics: any
incident-deadline: 24 hours        # unverified
visit-lead-time: 0 days            # unverified

# unverified: Japanese labels before the Specially Designated Secrets Act.
[annex 1 effective 2007-08-10]
TOP SECRET = USA: TOP SECRET | JPN: 機密, 防衛秘密
SECRET = USA: SECRET | JPN: 極秘
CONFIDENTIAL = USA: CONFIDENTIAL | JPN: 秘

# unverified: 防衛秘密 merged into 特定秘密 when the SDS Act took effect
# on 2014-12-10 (that date is verified; the rows are not).
[annex 2 effective 2014-12-10]
TOP SECRET = USA: TOP SECRET | JPN: 機密, 特定秘密
SECRET = USA: SECRET | JPN: 極秘
CONFIDENTIAL = USA: CONFIDENTIAL | JPN: 秘

— gsomia-exercise/JPN QTmRi0gLGR7JkW4gIsLBl8Q4yobu3YQJKmNgzwG8aV1gXcT3WZBx0hlQqgWe6ImfLq2Scy8beGNk1GeWRhIcRHRYKA0=
