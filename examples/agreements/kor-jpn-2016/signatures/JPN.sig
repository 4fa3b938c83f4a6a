gsomia-agreement/v1
# Korea-Japan GSOMIA, signed in Seoul on 23 November 2016, in force the
# same day (both domestic-procedures notes were exchanged that day).
id: KOR-JPN-2016
title: Agreement between the Government of Japan and the Government of the Republic of Korea on the Protection of Classified Military Information
kind: agreement
version: 1
parties: KOR JPN
zone: +09:00
signed: 2016-11-23
entry-into-force: later-of-notes   # Art. 21(1)
term: annual                       # Art. 21(3): one year, renewed automatically
leap-day: feb-28
notice: 90 days                    # Art. 21(3): ninety days in advance
notice-deadline: last-day          # 24 August for 23 November, as both governments used
late-notice: carry-forward
suspension: strict-treaty          # not in the text; 2019 practice, a policy choice
marking: recipient-converts        # Art. 4(2)
nationality: holder-only           # Art. 5, 7
dual-nationals: refuse
psc-required-from: all             # Art. 7: a PSC for all CMI
receipts-from: all
purposes: any
topics: any
incident-deadline: 24 hours        # Art. 17: "immediately"
visit-lead-time: 0 days            # Art. 8

# Art. 4(2). Two levels only: Korean grade I and Japanese 機密 are never
# exchanged. Japan's side of SECRET is many-to-one; 特定秘密 is the
# default when Japan converts a Korean 군사II급비밀.
[annex 1 effective 2016-11-23]
SECRET = KOR: 군사II급비밀 | JPN: 特定秘密, 極秘
CONFIDENTIAL = KOR: 군사III급비밀 | JPN: 秘
never = KOR: 군사I급비밀 | JPN: 機密

— gsomia-exercise/JPN QTmRi4ZbfXRtEfRHENRo9rKvJN5cGVU6F97t7efI8B7c3RIa5LTC9r91n7KDRWcxWC93PXWubtUxgD48dgmNlUcTXAM=
