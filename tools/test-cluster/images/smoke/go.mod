module shoot-maintenance.local/smoke

go 1.22
