-- One notice row per alert and change for a shopper, not two: the inbox shows every notice of the shopper but the
-- merchant's webhook ones, so an emailed notice is also the shopper's inbox notice. Only shoppers who are not
-- emailed get an inbox-only row. Existing pairs are merged into the email row, keeping what was read and clicked.
-- (The PostgreSQL migration of this number also drops the notice's foreign key to its change and gives alerts room
-- for updates in place; SQLite needs neither.)
UPDATE notices SET
    read_at = COALESCE(read_at, (SELECT i.read_at FROM notices i WHERE i.channel = 'inbox'
        AND i.change_id = notices.change_id AND i.shopper_id = notices.shopper_id AND i.alert_id IS notices.alert_id)),
    clicked_at = COALESCE(clicked_at, (SELECT i.clicked_at FROM notices i WHERE i.channel = 'inbox'
        AND i.change_id = notices.change_id AND i.shopper_id = notices.shopper_id AND i.alert_id IS notices.alert_id))
WHERE channel = 'email' AND shopper_id IS NOT NULL;
DELETE FROM notices
WHERE channel = 'inbox' AND EXISTS (SELECT 1 FROM notices e WHERE e.channel = 'email'
    AND e.change_id = notices.change_id AND e.shopper_id = notices.shopper_id AND e.alert_id IS notices.alert_id);

DROP INDEX notices_inbox;
CREATE INDEX notices_inbox ON notices (shopper_id, created_at) WHERE channel <> 'webhook';

-- Nothing looks notices up by their change: the merchant's counts read them all, and a shopper's price-rise
-- cooldown has its own index. One index fewer to write per notice.
DROP INDEX notices_change;
