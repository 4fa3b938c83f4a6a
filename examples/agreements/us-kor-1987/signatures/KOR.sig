gsomia-agreement/v1
# United States-Republic of Korea GSOMIA, signed in Washington on
# 24 September 1987. Only the parties, the date and the place are
# verified. The term, notice and annex rules below are NOT verified
# against the treaty text: they are plausible placeholders.
id: US-KOR-1987
title: Security Agreement between the Government of the United States of America and the Government of the Republic of Korea concerning the Protection of Classified Military Information
kind: agreement
version: 1
parties: USA KOR
zone: +09:00
signed: 1987-09-24
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

# unverified: the rows below follow the national ladders, not the text.
[annex 1 effective 1987-09-24]
TOP SECRET = USA: TOP SECRET | KOR: 군사I급비밀
SECRET = USA: SECRET | KOR: 군사II급비밀
CONFIDENTIAL = USA: CONFIDENTIAL | KOR: 군사III급비밀

— gsomia-exercise/KOR gxC+96/zLkgBYR+82Y9PeKyGlNoTmDWKcOAdylJRxGv8ZnMP90BTq/e7JfI33JmOe/zRidi92R2FO99XTJeoiwpiNgQ=
