-- Triage by vulnerability (GET /api/v1/triage?vulnerability=...) from the index alone.
-- With V3's index on (vulnerability) only, counting the releases a widespread CVE affects reads
-- one heap row per finding (thousands of random reads), and the newest releases cannot be taken
-- in order. With release_id in the key, the releases come sorted (a page stops after `limit`),
-- and with purl included, "how many packages" needs no heap read either. It serves every query
-- the old index served, so that one goes.
CREATE INDEX scan_findings_vulnerability_release ON scan_findings (vulnerability, release_id) INCLUDE (purl);
DROP INDEX scan_findings_vulnerability;
