// enhances listings
