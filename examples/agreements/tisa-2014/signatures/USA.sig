gsomia-agreement/v1
# Trilateral Information Sharing Arrangement Concerning the Nuclear and
# Missile Threats Posed by North Korea: ROK MND, Japan MOD and US DoD,
# signed and effective on 29 December 2014. Not legally binding
# (para. 8). Information passes KOR -> USA -> JPN and back through the
# hub, protected under the two bilateral agreements (paras. 3, 4); the
# onward leg needs the originator's approval. It has no annex of its own:
# each leg uses the annex of the agreement it travels under.
id: TISA-2014
title: Trilateral Information Sharing Arrangement Concerning the Nuclear and Missile Threats Posed by North Korea
kind: arrangement
binding: no
version: 1
parties: KOR JPN USA
hub: USA
relies-on: US-KOR-1987, US-JPN-2007
zone: +09:00
signed: 2014-12-29
entry-into-force: on-signature
term: indefinite                   # no termination clause seen; unverified
notice: 90 days                    # unverified
topics: dprk-nuclear-missile-threats   # para. 1
purposes: any

— gsomia-exercise/USA zELxiABwG/del3eBzr9IzFLqEOMquzdjIPpFhuxWDcaHGecmk9lR9bRiqA5AkbW7fVn3bPVyj4otY/YOuknW+29xegI=
